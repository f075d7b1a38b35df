/**
 * The page file: one self-contained HTML file (inline style and script, no
 * src or href, no http(s) URL, a Content-Security-Policy that loads
 * nothing), whose embedded JSON survives text that would end a script
 * early, and the rule guide taken from the checker's own rules.
 */
import { expect } from 'chai';
import { renderHtml, ruleGuide, scriptJson, scriptText } from '../../src/view/html.js';
import { viewDocument } from '../../src/view/build.js';
import { createRules } from '../../src/check/rules/index.js';
import { RULES } from '../../src/contract/rules.js';
import type { TraceDocument } from '../../src/view/document.js';

const NASTY = '</script><!-- x --><script>alert(1)</script> & \u2028';

function documentWithNastyText(): TraceDocument {
  const events = [
    { seq: 1, t: 1, cpu: 0, irql: 'PASSIVE', event: 'op_begin', op: 'find', map: NASTY, key: '01000000', mode: 'user' },
    { seq: 2, t: 2, cpu: 0, irql: 'PASSIVE', event: 'violation', rule: 'provider.invariant', message: NASTY },
  ];
  return {
    run: { scenario: NASTY, seed: 1, cpus: 1, profile: 'documented', mode: 'controlled', strategy: 'random', mutant: null },
    timeUnit: 'decision', events, window: null,
    reports: [{ rule: 'provider.invariant', sentence: 's', source: 'x', message: NASTY, seq: 2, cpu: 0, irql: 'PASSIVE', op: 'find', mode: 'user', map: NASTY, key: null, excerpt: events, rerun: 'r' }],
  };
}

/** The text of the <script> element with this id (as the browser would hand it to the page). */
function scriptContent(html: string, id: string): string {
  const open = `<script type="application/json" id="${id}">`;
  const start = html.indexOf(open) + open.length;
  return html.slice(start, html.indexOf('</script>', start));
}

describe('view/html: one self-contained file', () => {
  const doc = viewDocument(documentWithNastyText(), 'test');
  const html = renderHtml(doc);

  it('embeds the document whole, even text that would end a script or open a comment', () => {
    expect(JSON.parse(scriptContent(html, 'epochlab-document'))).to.deep.equal(doc);
    // Exactly the page's three script elements open and close; no comment opens anywhere.
    expect(html.match(/<script/gi)).to.have.length(3);
    expect(html.match(/<\/script/gi)).to.have.length(3);
    expect(html).to.not.contain('<!--');
  });

  it('has its style and script inline and names no URL', () => {
    expect(html.startsWith('<!doctype html>')).to.equal(true);
    expect(html).to.match(/<style>[^<]+<\/style>/);
    expect(html).to.not.match(/https?:\/\//i);
    expect(html).to.not.match(/\s(src|href)=/i);
    expect(html).to.contain(`content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"`);
  });

  it('escapes script text so JavaScript reads the same characters', () => {
    const js = 'var a = "</script><!--"; var b = `</SCRIPT>`;';
    const safe = scriptText(js);
    expect(safe).to.not.match(/<\/script|<!--/i);
    const run = (code: string): unknown[] => new Function(`${code}; return [a, b];`)() as unknown[];
    expect(run(safe)).to.deep.equal(run(js));
    expect(JSON.parse(scriptJson({ s: NASTY }))).to.deep.equal({ s: NASTY });
  });

  it('the rule guide names, for each event, the rules whose own event lists hold it', () => {
    const guide = ruleGuide();
    for (const rule of createRules()) {
      for (const name of rule.events) for (const id of rule.ids) expect(guide.byEvent[name], `${name} -> ${id}`).to.include(id);
    }
    const onTrace = new Set(createRules().flatMap((r) => r.ids));
    expect(guide.runtime).to.deep.equal(RULES.map((r) => r.id).filter((id) => !onTrace.has(id)));
    expect(guide.byEvent['read']).to.deep.equal(['age.window']);
    expect(guide.byEvent['epoch_enter']).to.equal(undefined);
    expect(Object.keys(guide.rules)).to.deep.equal(RULES.map((r) => r.id));
  });
});
