// Signing a provider row's amounts when the direction is known (from the type, or from the number).
// Many layouts write every amount unsigned; some write the net signed. Either way: gross takes the
// direction; when a net (settlement) amount is given, the fee is whatever makes gross − fee = net — a
// refund may give the fee back or keep it — and must match the fee column in size; without a net, the
// fee follows the direction. Returns a message when the three do not add up, or — where the layout
// writes the net signed — when the net's sign contradicts the direction.
import { formatMinor, type Minor } from './money.ts'

export interface Signed { gross: Minor, fee: Minor, net: Minor }

export function signAmounts (dir: 1 | -1, grossIn: Minor, feeIn: Minor, netIn: Minor | null, netIsSigned = false): Signed | string {
  const gross = dir * Math.abs(grossIn) || 0 // never -0
  if (netIn === null) {
    const fee = dir * Math.abs(feeIn) || 0
    return { gross, fee, net: gross - fee }
  }
  if (netIsSigned && netIn !== 0 && Math.sign(netIn) !== dir && Math.abs(netIn) > Math.abs(feeIn)) {
    return `net ${formatMinor(netIn)} has the wrong sign for a ${dir > 0 ? 'payment to' : 'refund or charge from'} the merchant`
  }
  const net = dir * Math.abs(netIn) || 0
  const fee = gross - net || 0
  if (Math.abs(fee) !== Math.abs(feeIn)) return `amount ${formatMinor(grossIn)}, fee ${formatMinor(feeIn)} and net ${formatMinor(netIn)} do not add up`
  return { gross, fee, net }
}
