// The offline loader's sales from POS events: delivered at least once and in any order, as vendors
// push them, they come out once each, the first delivery winning, with every void applied.
import t from 'tap'
import type { PosEvent } from '../../connectors/contract.ts'
import { SaleCollector } from './convert.ts'

function event (vendor: string, saleId: string, kind: PosEvent['kind'] = 'sale', amount = 4200): PosEvent {
  return {
    vendor, eventId: `${vendor}-${saleId}-${kind}-${amount}`, kind, saleId, refundOf: null, storeId: 'S01', terminalId: 'T1', receiptNo: null,
    occurredAt: new Date('2026-11-20T02:00:00Z'),
    lines: [{ lineNo: 1, sku: 'SKU-1', qty: 1, unitPrice: amount, discount: 0, amount, locationId: 'S01', restock: true }],
    tenders: [{ tenderNo: 1, method: 'alipayhk', amount, reference: null, providerTxnId: null }],
    charges: 0, rounding: 0
  }
}

function collect (events: PosEvent[]): ReturnType<SaleCollector['finish']> & { collector: SaleCollector } {
  const collector = new SaleCollector(() => 0)
  for (const ev of events) collector.add(ev)
  return { ...collector.finish(), collector }
}

const amounts = (sales: ReturnType<SaleCollector['finish']>['byKey']): string[] => sales.map(s => `${s.key}=${s.tenders[0].amount}`)

t.test('a sale delivered three times comes out once, as its first delivery said, wherever the others fall', async t => {
  const { byKey, inFileOrder } = collect([event('pos', 'B', 'sale', 100), event('pos', 'A', 'sale', 200), event('pos', 'B', 'sale', 999), event('pos', 'C'), event('pos', 'B', 'sale', 555)])
  t.same(amounts(byKey), ['pos:A=200', 'pos:B=100', 'pos:C=4200'])
  t.same(amounts(inFileOrder), ['pos:B=100', 'pos:A=200', 'pos:C=4200'], 'the files\' order kept, later deliveries left out')
})

t.test('two vendors\' sales of one id are two sales, each found by its own vendor', async t => {
  const { byKey, collector } = collect([event('pos-b', 'X1', 'sale', 1), event('pos-a', 'X1', 'sale', 2)])
  t.same(amounts(byKey), ['pos-a:X1=2', 'pos-b:X1=1'])
  t.equal(collector.get('pos-b', 'X1')?.tenders[0].amount, 1)
  t.equal(collector.get('pos-a', 'X1')?.tenders[0].amount, 2)
  t.equal(collector.get('pos-c', 'X1'), undefined)
  t.equal(collector.get('pos-a', 'X2'), undefined)
})

t.test('one key for two vendors\' sales (a vendor named with a colon) still keeps both', async t => {
  const { byKey, collector } = collect([event('a:b', 'c', 'sale', 1), event('a', 'b:c', 'sale', 2), event('a:b', 'c', 'sale', 3)])
  t.same(byKey.map(s => `${s.saleId}=${s.tenders[0].amount}`).sort(), ['b:c=2', 'c=1'])
  t.equal(collector.get('a', 'b:c')?.tenders[0].amount, 2)
  t.equal(collector.get('a:b', 'c')?.tenders[0].amount, 1)
})

t.test('a void marks its sale whether it came before or after it, and only that sale', async t => {
  const { byKey } = collect([event('pos', 'V1', 'void'), event('pos', 'V1'), event('pos', 'V2'), event('pos', 'OK'), event('pos', 'V2', 'void'), event('pos', 'GONE', 'void')])
  t.same(byKey.map(s => `${s.saleId}:${s.voided}`), ['OK:false', 'V1:true', 'V2:true'])
})
