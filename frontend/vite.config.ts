import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import AutoImport from 'unplugin-auto-import/vite'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import { VantResolver } from '@vant/auto-import-resolver'
import { viteStaticCopy } from 'vite-plugin-static-copy'

// The build is served from S3 and from the local gateway (http://127.0.0.1:8000/),
// so every asset URL is relative and routing uses the URL hash (no server rewrites). The
// storefront is a second entry of the same build (shop/index.html, src/shop/).
const apiTarget = process.env.SHOPDESK_API ?? 'http://127.0.0.1:8000'

export default defineConfig({
  base: './',
  plugins: [
    vue(),
    // Element Plus (the admin, El*) and Vant (the storefront, Van* / showToast ...) are imported
    // where a page uses them, so each app's bundle carries only its own library.
    AutoImport({
      resolvers: [ElementPlusResolver(), VantResolver()],
      dts: 'auto-imports.d.ts',
    }),
    Components({
      resolvers: [ElementPlusResolver(), VantResolver()],
      dts: 'components.d.ts',
      dirs: [],
    }),
    // The API docs page (public/api-docs/index.html) must work offline: ship Swagger UI
    // from node_modules next to it instead of loading it from a CDN.
    viteStaticCopy({
      targets: [
        {
          src: ['node_modules/swagger-ui-dist/swagger-ui-bundle.js', 'node_modules/swagger-ui-dist/swagger-ui.css'],
          dest: 'api-docs',
        },
      ],
    }),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  define: {
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'false',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
  },
  server: {
    proxy: { '/api': { target: apiTarget, changeOrigin: true } },
  },
  build: {
    target: 'es2022',
    // Two static apps from one project: the admin (index.html) and the phone-first storefront
    // (shop/index.html -> dist/shop/index.html, served at /shop/).
    rollupOptions: {
      input: {
        admin: fileURLToPath(new URL('./index.html', import.meta.url)),
        shop: fileURLToPath(new URL('./shop/index.html', import.meta.url)),
      },
    },
    chunkSizeWarningLimit: 400,
  },
  test: {
    environment: 'jsdom',
    include: ['tests/unit/**/*.spec.ts'],
    server: { deps: { inline: ['element-plus'] } },
    testTimeout: 20_000,
  },
})
