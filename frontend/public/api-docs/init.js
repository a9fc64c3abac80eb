// Renders the running backend's OpenAPI document (served at /api/openapi.json).
// "Try it out" requests carry the admin SPA's session: ID token, shop and language.
;(function () {
  var specUrl = new URL('../api/openapi.json', window.location.href).href
  var zh = (localStorage.getItem('shopdesk.locale') || 'zh-CN') === 'zh-CN'
  document.documentElement.lang = zh ? 'zh-CN' : 'en'
  document.getElementById('sd-back').textContent = zh ? '← 返回 ShopDesk' : '← Back to ShopDesk'

  function showError(message) {
    var box = document.getElementById('sd-error')
    box.textContent = message
    box.style.display = 'block'
  }

  if (typeof window.SwaggerUIBundle !== 'function') {
    showError(zh ? 'Swagger UI 未能加载（请先构建前端）。' : 'Swagger UI did not load (build the frontend first).')
    return
  }

  function session() {
    try {
      return JSON.parse(localStorage.getItem('shopdesk.session') || 'null')
    } catch (e) {
      return null
    }
  }

  window.ui = window.SwaggerUIBundle({
    url: specUrl,
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    // Tags start folded, with a filter box: Swagger UI 5.35 stops rendering part-way when all of the
    // ~150 operations are expanded at once (seen on this document; folded, every tag renders).
    docExpansion: 'none',
    filter: true,
    requestInterceptor: function (request) {
      var s = session()
      if (s && s.idToken && !request.headers.Authorization) request.headers.Authorization = 'Bearer ' + s.idToken
      var shop = localStorage.getItem('shopdesk.shop')
      if (shop && !request.headers['X-Shop-Id']) request.headers['X-Shop-Id'] = shop
      request.headers['Accept-Language'] = zh ? 'zh-CN' : 'en'
      return request
    },
    onComplete: function () {},
  })
})()
