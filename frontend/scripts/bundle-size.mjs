// Bundle sizes per entry of the multi-page build (the admin `index.html`, the storefront
// `shop/index.html`): what the first page load fetches (the entry and its static imports, JS and
// CSS) and what loads later (dynamic imports), raw and gzip. Reads the Vite manifest:
//   npx vite build --manifest && node scripts/bundle-size.mjs [dist]
import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const dist = process.argv[2] ?? 'dist'
const manifestPath = [join(dist, '.vite/manifest.json'), join(dist, 'manifest.json')].find(existsSync)
if (!manifestPath) {
  console.error(`no Vite manifest in ${dist}: build with --manifest`)
  process.exit(1)
}
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))

function files(key, seen, lazy) {
  const chunk = manifest[key]
  if (!chunk || seen.has(key)) return
  seen.add(key)
  for (const f of [chunk.file, ...(chunk.css ?? [])]) (lazy ? out.lazy : out.initial).add(f)
  for (const k of chunk.imports ?? []) files(k, seen, lazy)
  for (const k of chunk.dynamicImports ?? []) files(k, seen, true)
}
const size = (set) => {
  let raw = 0
  let gz = 0
  for (const f of set) {
    const data = readFileSync(join(dist, f))
    raw += data.length
    gz += gzipSync(data).length
  }
  return `${(raw / 1024).toFixed(1)} kB (gzip ${(gz / 1024).toFixed(1)} kB) in ${set.size} files`
}
let out
for (const [key, chunk] of Object.entries(manifest)) {
  if (!chunk.isEntry || !key.endsWith('.html')) continue
  out = { initial: new Set(), lazy: new Set() }
  files(key, new Set(), false)
  for (const f of out.initial) out.lazy.delete(f)
  console.log(`${key}\n  first load: ${size(out.initial)}\n  lazy pages: ${size(out.lazy)}`)
}
