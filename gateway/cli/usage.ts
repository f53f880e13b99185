// The usage lines of the commands that need the database: main.ts prints them without loading those
// commands (and the runtime they start), so `recon reconcile` starts in what it needs alone.

export const ACCOUNT_USAGE = `  recon user add NAME --role owner|finance|store_manager|pos_vendor|auditor [--stores MK01,TST1] [--display-name TEXT]
  recon user list | recon user password NAME | recon user disable NAME | recon user enable NAME
      People who sign in to the web app. The password comes from RECON_PASSWORD, a pipe, or a hidden prompt.
  recon key add NAME --role ROLE [--stores …] | recon key list | recon key revoke ID
      API keys for integrations: shown once when made, stored only as a digest, revocable at once.`

export const BANK_USAGE = `  recon bank import <file…> [--account ACCOUNT] [--json]
      Import bank statements (MT940, camt.053, or a business-banking CSV/Excel export: HSBC HK, Hang Seng,
      BOCHK profiles; --account when the export does not name it): each file whole and once; a statement whose opening balance plus
      its entries is not its closing balance refuses the file. Entries an earlier, overlapping statement
      brought are skipped. Exit code 0 when every file was imported (or already was), 1 when any was refused.`

export const LEDGER_USAGE = `  recon audit verify
      Walk every location's hash chain; print the first broken link. Exit code 0 when intact, 1 when not.
  recon outbox status | recon outbox redrive [--sink SINK]
      Forwarding per sink (pending, delivered, dead, oldest waiting); put dead-lettered deliveries back.
  recon stock import FILE [--catalogue]
      A stock list (sku, location, qty) as opening balances, or the SKU catalogue; .csv or .xlsx. Refused
      whole, every bad line listed, on any problem (exit code 1).`

export const MAINTENANCE_USAGE = `  recon keys status | recon keys rotate
      Count the personal data still encrypted under an older PII key, or re-encrypt it all under the
      active key (the first in RECON_PII_KEYS); once nothing is left an old key can be removed.
  recon retention run
      Erase personal data older than retention.personalDataDays now (the gateway does it daily at 03:30 HKT).`
