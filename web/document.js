import { api } from './api.js';
import { formatDate, h, show } from './dom.js';

/**
 * Fills one part of the document page; a part the person's role does not allow says so rather
 * than failing the page.
 */
async function part(title, needs, load) {
  const section = h('section', { class: 'part', 'aria-label': title }, h('h2', null, title));
  try {
    section.append(...[await load()].flat());
  } catch (error) {
    const refused = error.status === 403;
    section.append(
      h(
        'p',
        { class: refused ? 'refused' : 'error' },
        refused ? `Not shown: your role does not allow it (needs ${needs}).` : error.message,
      ),
    );
  }
  return section;
}

const decisionsOf = (reviews) =>
  reviews.items.length === 0
    ? h('p', { class: 'empty' }, 'No review of this document.')
    : h(
        'ul',
        { class: 'decisions' },
        reviews.items.map((r) =>
          h(
            'li',
            null,
            r.status === 'open'
              ? 'Waiting for a decision. '
              : `Decided: ${r.status}${r.patientId ? ` to patient ${r.patientId}` : ''} by ${r.resolvedBy} at ${formatDate(r.resolvedAt)}. `,
            h('a', { href: `#/reviews/${encodeURIComponent(r.id)}` }, 'Open the review'),
          ),
        ),
      );

const summaryOf = (d) =>
  h(
    'dl',
    null,
    h('dt', null, 'File'),
    h('dd', null, d.fileName),
    h('dt', null, 'Status'),
    h('dd', null, d.status),
    h('dt', null, 'Type'),
    h('dd', null, d.documentType ?? '—'),
    h('dt', null, 'Patient'),
    h(
      'dd',
      null,
      d.patientMatch
        ? `${d.patientMatch.status}${d.patientMatch.patientId ? `: ${d.patientMatch.patientId}` : ''}`
        : '—',
    ),
  );

const textOf = (text) =>
  text.pages.length === 0
    ? h('p', { class: 'empty' }, 'No text read yet.')
    : text.pages.map((p) =>
        h('section', { class: 'page' }, h('h3', null, `Page ${p.page}`), h('pre', null, p.text)),
      );

const timelineOf = (history) =>
  h(
    'ol',
    { class: 'timeline' },
    history.events.map((e) =>
      h(
        'li',
        null,
        h('time', { datetime: e.occurredAt }, formatDate(e.occurredAt)),
        ` ${e.type}`,
        e.actor ? h('span', { class: 'actor' }, ` by ${e.actor}`) : null,
      ),
    ),
  );

/** A document: what each of the person's roles lets them see of it. */
export async function documentScreen(id) {
  const path = `/documents/${encodeURIComponent(id)}`;
  const parts = await Promise.all([
    part('Summary', 'reader', async () => summaryOf(await api(path))),
    part('Review decisions', 'reviewer', async () =>
      decisionsOf(await api(`/reviews?status=any&documentId=${encodeURIComponent(id)}`)),
    ),
    part('Timeline', 'auditor', async () => timelineOf(await api(`${path}/history`))),
    part('Text', 'reader', async () => textOf(await api(`${path}/text`))),
  ]);
  show(h('h1', null, `Document ${id}`), ...parts);
}
