// Fault injection for the crash tests (reliability C1): a worker started with RECON_TEST_CRASH_AT=<point>
// in a test environment kills itself with SIGKILL when it reaches that point — no cleanup, no
// rollback of its own, exactly as a power cut or the OOM killer would stop it.
export function crashPoint (point: string): void {
  if (process.env.RECON_ENV === 'test' && process.env.RECON_TEST_CRASH_AT === point) process.kill(process.pid, 'SIGKILL')
}
