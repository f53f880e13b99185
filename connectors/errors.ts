// Errors a connector raises about its input. They carry a stable code and, for files and payloads,
// every problem found with its line, so a refused file can be fixed in one go.
import type { LineIssue } from './contract.ts'

export type InputErrorCode =
  | 'INPUT_TOO_LARGE' | 'INPUT_EMPTY' | 'UNKNOWN_LAYOUT' | 'BAD_ENCODING' | 'CARD_NUMBER_FOUND'
  | 'INVALID_ROWS' | 'INVALID_PAYLOAD' | 'BAD_PROFILE'

export class InputError extends Error {
  readonly code: InputErrorCode
  readonly issues: LineIssue[]
  /** How many issues there were in all (the list itself is capped). */
  readonly issueCount: number

  constructor (code: InputErrorCode, message: string, issues: LineIssue[] = [], issueCount = issues.length) {
    super(message)
    this.name = 'InputError'
    this.code = code
    this.issues = issues
    this.issueCount = issueCount
  }
}

export const PAN_MESSAGE = 'a full card number (PAN) was found; inputs carrying card numbers are refused and nothing was stored'
