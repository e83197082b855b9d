// Everything the site tests read from one page load (tests/website/conftest.py).
() => {
  const W = window.innerWidth;
  const art = document.querySelector('article.bd-article');
  const col = art.getBoundingClientRect();
  const shown = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';

  // ------------------------------------------------------------ the page as a whole
  const page = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
  const culprits = Array.from(document.querySelectorAll('body *')).filter(e => {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.right <= W + 1) return false;
    if (e.closest('dialog:not([open])')) return false;
    for (let p = e.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') return false;
    }
    return true;
  }).slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
  const searches = Array.from(document.querySelectorAll('.search-button-field, .search-button'))
    .filter(shown).length;

  // ------------------------------------------------------------ tables
  const scrollBox = el => {
    for (let p = el.parentElement; p && p !== art; p = p.parentElement) {
      const cs = getComputedStyle(p);
      if (['auto', 'scroll', 'hidden'].includes(cs.overflowX) || ['auto', 'scroll'].includes(cs.overflowY)) return p;
    }
    return null;
  };
  const numberOf = t => {
    const fig = t.closest('figure');
    const holder = fig ? fig.querySelector('figcaption') : t.querySelector('caption');
    const n = holder ? holder.querySelector('.caption-number') : null;
    return n ? n.textContent.trim() : '';
  };
  const captionOf = t => {
    const cap = t.querySelector('caption');
    const fig = t.closest('figure, .figure, div.figure');
    const figcap = fig ? fig.querySelector('figcaption, .caption') : null;
    return ((cap ? cap.textContent : '') + (figcap ? figcap.textContent : '')).trim();
  };
  const tables = Array.from(art.querySelectorAll('table')).map(t => {
    const box = scrollBox(t);
    const r = (box || t).getBoundingClientRect();
    const fig = t.closest('figure');
    const over = Math.max(0, Math.round(r.right - col.right), Math.round(col.left - r.left));
    return {
      id: fig ? fig.id : (t.id || ''), number: numberOf(t), caption: captionOf(t),
      head: t.innerText.slice(0, 60),
      visible: Math.round(r.width), height: Math.round(r.height), over,
      full: Math.round(t.getBoundingClientRect().width), fullHeight: Math.round(t.getBoundingClientRect().height),
      sideways: box ? box.scrollWidth > box.clientWidth + 1 : t.getBoundingClientRect().width > col.width + 1,
      downwards: box ? box.scrollHeight > box.clientHeight + 1 : false,
      boxWidth: box ? box.clientWidth : 0, boxHeight: box ? box.clientHeight : 0,
      scrollWidth: box ? box.scrollWidth : 0, scrollHeight: box ? box.scrollHeight : 0,
      stacked: t.classList.contains('foresight-stacked'),
      rows: t.rows.length, filter: !!(t.closest('figure, .output, .cell_output') || art)
        .querySelector('.foresight-table-filter input'),
    };
  });

  // ------------------------------------------------------------ figures and captions
  const images = Array.from(art.querySelectorAll('img')).map(i => {
    const r = i.getBoundingClientRect();
    return {src: i.currentSrc || i.src, shown: r.width, natural: i.naturalWidth,
            over: Math.max(0, Math.round(r.right - col.right), Math.round(col.left - r.left)),
            id: (i.closest('figure') || {}).id || '', alt: (i.getAttribute('alt') || '').trim(),
            broken: !(i.complete && i.naturalWidth > 0)};
  });
  const captions = Array.from(art.querySelectorAll('figure')).map(f => ({
    id: f.id, table: !!f.querySelector('table'), image: !!f.querySelector('img'),
    caption: ((f.querySelector('figcaption .caption-number') || {}).textContent || '').trim()}));
  const refs = Array.from(art.querySelectorAll('a.reference.internal span.std-numref')).map(s => ({
    text: s.textContent.trim(), href: s.parentElement.getAttribute('href')}));
  const cells = Array.from(art.querySelectorAll('table th, table td')).map(c => c.textContent.trim());
  const headers = Array.from(art.querySelectorAll('table th')).map(c => c.textContent.trim());
  const outline = Array.from(art.querySelectorAll('h1, h2, h3, h4, h5, h6'))
    .map(h => [parseInt(h.tagName[1]), h.textContent.trim()]);

  // ------------------------------------------------------------ colours of table text and captions
  const rgba = s => { const m = s.match(/[\d.]+/g) || []; return m.map(Number).concat([1]).slice(0, 4); };
  const background = e => {
    for (let p = e; p; p = p.parentElement) {
      const c = rgba(getComputedStyle(p).backgroundColor);
      if (c[3] > 0.5) return getComputedStyle(p).backgroundColor;
    }
    return getComputedStyle(document.documentElement).backgroundColor;
  };
  const seen = {};
  const text = [];
  art.querySelectorAll('table th, table td, table caption, figure figcaption, .house-table-key').forEach(e => {
    if (!shown(e) || !e.textContent.trim()) return;
    const cs = getComputedStyle(e);
    const key = [cs.color, background(e), cs.fontWeight, cs.fontSize].join('|');
    if (seen[key]) { seen[key].count += 1; return; }
    seen[key] = {color: cs.color, background: background(e), weight: Number(cs.fontWeight),
                 size: parseFloat(cs.fontSize), example: e.tagName + ': ' + e.textContent.trim().slice(0, 40),
                 count: 1};
    text.push(seen[key]);
  });

  // ------------------------------------------------------------ links, code, furniture
  const links = Array.from(document.querySelectorAll('a[href]')).map(a => a.href);
  const code = Array.from(art.querySelectorAll('.cell')).filter(c => c.querySelector('.cell_input'))
    .map(c => {
      const details = c.querySelector('details');
      return {hidden: c.classList.contains('tag_hide-input'), collapsed: details ? !details.open : false,
              toggle: !!details, summary: details ? details.querySelector('summary').textContent.trim() : '',
              source: (c.querySelector('.cell_input') || {textContent: ''}).textContent.trim().slice(0, 200)};
    });
  return {page, culprits, searches, column: Math.round(col.width), tables, images, captions, refs, cells,
          headers, outline, text, links, code,
          theme: document.documentElement.dataset.theme,
          bodyBackground: getComputedStyle(document.body).backgroundColor,
          nImages: document.images.length,
          brokenImages: Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)};
}
