// The `recon` command's entry (gateway/bin/recon, npm run recon): Node's on-disk compile cache first,
// as npm itself does, then the command line (main.ts). A run loads some 200 modules on its own thread
// and 100 on each reading thread, and strips and compiles each again every time: from the cache, the
// command starts in about half the time. The threads and child processes take the cache from the
// environment. The cache is the installation's own (node_modules/.cache), not the shared temporary
// directory another user could write code into; where it cannot be written, the command runs without.
import module from 'node:module'
import { join } from 'node:path'

const cache = module.enableCompileCache(join(import.meta.dirname, '../../node_modules/.cache/node-compile-cache'))
if (cache.directory) process.env.NODE_COMPILE_CACHE ??= cache.directory
const { main } = await import('./main.ts')
process.exitCode = await main(process.argv.slice(2))
