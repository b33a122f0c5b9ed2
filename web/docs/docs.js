// Renders /openapi.json with Redoc's standalone bundle, which this server serves itself (no CDN).
'use strict';

// Redoc 2 shows "API docs by Redocly" with a logo it loads from Redocly's CDN. This page must work
// offline and request nothing from other hosts, so an <img> pointing at another origin gets a blank
// inline image instead (the page's CSP would block it too, but with an error in the console).
(() => {
  const BLANK = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';
  const foreign = (value) => {
    try {
      const url = new URL(String(value), location.href);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin !== location.origin;
    } catch {
      return false;
    }
  };
  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function guardedSetAttribute(name, value) {
    if (this instanceof HTMLImageElement && /^(src|srcset)$/i.test(name) && foreign(value)) value = BLANK;
    return setAttribute.call(this, name, value);
  };
  for (const prop of ['src', 'srcset']) {
    const desc = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, prop);
    Object.defineProperty(HTMLImageElement.prototype, prop, {
      ...desc,
      set(value) { desc.set.call(this, foreign(value) ? BLANK : value); },
    });
  }
})();

(() => {
  const status = document.getElementById('docs-status');
  const system = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
  const mono = 'ui-monospace, "SF Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace';

  if (typeof Redoc === 'undefined') {
    status.dataset.kind = 'error';
    status.textContent = 'The Redoc bundle did not load (/assets/redoc.standalone.js).';
    document.body.dataset.ready = 'error';
    return;
  }

  const options = {
    scrollYOffset: 56, // the sticky header above
    expandResponses: '200,201',
    pathInMiddlePanel: true,
    jsonSampleExpandLevel: 3,
    theme: {
      colors: { primary: { main: '#2563eb' } },
      typography: {
        fontFamily: system,
        fontSize: '14.5px',
        headings: { fontFamily: system, fontWeight: '650' },
        code: { fontFamily: mono, fontSize: '13px' },
      },
      sidebar: { backgroundColor: '#f4f6f9' },
      rightPanel: { backgroundColor: '#17202b' },
    },
  };

  Redoc.init('/openapi.json', options, document.getElementById('redoc'), (error) => {
    if (error) {
      status.dataset.kind = 'error';
      status.textContent = `Could not render /openapi.json: ${error.message || error}`;
      document.body.dataset.ready = 'error';
      return;
    }
    status.hidden = true;
    document.body.dataset.ready = 'true';
  });
})();
