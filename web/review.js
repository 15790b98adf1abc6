import { api, apiImage } from './api.js';
import { formatDate, h, percent, show } from './dom.js';
import { nameOf } from './queue.js';

const FIELD_LABEL = { name: 'name', dateOfBirth: 'date of birth', identifier: 'identifier' };

/** A page's text with the subject's spans marked; overlapping spans keep the first. */
export function markedText(text, marks) {
  const parts = [];
  let at = 0;
  for (const mark of marks) {
    if (mark.start < at || mark.end > text.length) continue;
    parts.push(text.slice(at, mark.start));
    const label = mark.kind ? `${FIELD_LABEL[mark.field]} (${mark.kind})` : FIELD_LABEL[mark.field];
    parts.push(
      h(
        'mark',
        { class: `mark-${mark.field}`, title: `${label}: ${mark.value}` },
        text.slice(mark.start, mark.end),
      ),
    );
    at = mark.end;
  }
  parts.push(text.slice(at));
  return parts;
}

/** The object URLs of the page images on screen, let go when the next review is shown. */
const shownImages = [];

/** The page as the file shows it, fetched with the credential; a failure says so in its place. */
function pageImage(documentId, page) {
  const figure = h('figure', { class: 'page-image' });
  const path = `/documents/${encodeURIComponent(documentId)}/pages/${page}/image`;
  apiImage(path).then(
    (url) => {
      shownImages.push(url);
      figure.append(
        h('img', { src: url, alt: `Page ${page} of the document, as received` }),
        h(
          'figcaption',
          null,
          h('a', { href: url, target: '_blank', rel: 'noopener' }, `Page ${page} full size`),
        ),
      );
    },
    (error) => figure.append(h('p', { class: 'error' }, `Page image not shown: ${error.message}`)),
  );
  return figure;
}

function documentText(evidence, documentId) {
  if (evidence.pages.length === 0) return h('p', { class: 'empty' }, 'No text read yet.');
  return evidence.pages.map((page) => {
    const text = h(
      'pre',
      null,
      markedText(
        page.text,
        evidence.marks.filter((m) => m.page === page.page),
      ),
    );
    return h(
      'section',
      { class: 'page', 'aria-label': `Page ${page.page}` },
      h('h3', null, `Page ${page.page}`),
      evidence.pageImages
        ? h('div', { class: 'page-pair' }, pageImage(documentId, page.page), text)
        : text,
    );
  });
}

const identifiers = (ids) =>
  ids.length === 0 ? '—' : ids.map((i) => `${i.kind} ${i.value}`).join(', ');

function subjectCard(subject) {
  return h(
    'article',
    { class: 'card subject' },
    h('h3', null, 'The document says'),
    h(
      'dl',
      null,
      h('dt', null, 'Name'),
      h('dd', { class: 'mark-name' }, nameOf(subject)),
      h('dt', null, 'Date of birth'),
      h('dd', { class: 'mark-dateOfBirth' }, subject.dateOfBirth ?? '—'),
      h('dt', null, 'Sex'),
      h('dd', null, subject.sex ?? '—'),
      h('dt', null, 'Identifiers'),
      h('dd', { class: 'mark-identifier' }, identifiers(subject.identifiers)),
    ),
  );
}

function candidateCard(candidate, open, resolve) {
  return h(
    'article',
    { class: 'card candidate', 'aria-label': `Candidate ${candidate.patientId}` },
    h('h3', null, `Patient ${candidate.patientId}`),
    h('p', { class: 'score' }, `Score ${percent(candidate.score)}`),
    h(
      'table',
      null,
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['Field', 'Agreement', 'Weight', 'Evidence'].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        null,
        candidate.evidence.map((e) =>
          h(
            'tr',
            { class: e.weight < 0 ? 'against' : e.weight > 0 ? 'for' : null },
            h('td', null, e.field),
            h('td', null, e.agreement === null ? '—' : percent(e.agreement)),
            h('td', null, e.weight > 0 ? `+${e.weight}` : String(e.weight)),
            h('td', null, e.detail),
          ),
        ),
      ),
    ),
    open
      ? h(
          'button',
          {
            type: 'button',
            class: 'primary',
            onclick: () => resolve({ action: 'assign', patientId: candidate.patientId }),
          },
          `Assign to patient ${candidate.patientId}`,
        )
      : null,
  );
}

function decision(review) {
  if (review.status === 'open') return null;
  const to = review.patientId ? ` to patient ${review.patientId}` : '';
  return h(
    'p',
    { class: 'decision', role: 'status' },
    `Decided: ${review.status}${to}, by ${review.resolvedBy} at ${formatDate(review.resolvedAt)}`,
    review.note ? ` — “${review.note}”` : '',
  );
}

/** One review: the document's text with its subject marked, the candidates side by side. */
export async function reviewScreen(id, minPosition) {
  const query = minPosition ? `?minPosition=${encodeURIComponent(minPosition)}` : '';
  const review = await api(`/reviews/${encodeURIComponent(id)}${query}`);
  for (const url of shownImages.splice(0)) URL.revokeObjectURL(url);
  const open = review.status === 'open';
  const note = h('textarea', { id: 'note', rows: 2, maxlength: 1000 });
  const message = h('p', { class: 'message', role: 'status', 'aria-live': 'polite' });

  const resolve = async (choice) => {
    for (const button of document.querySelectorAll('.actions button, .candidate button')) {
      button.disabled = true;
    }
    message.textContent = 'Sending your decision…';
    try {
      const body = { ...choice, ...(note.value.trim() ? { note: note.value.trim() } : {}) };
      const accepted = await api(`/reviews/${encodeURIComponent(id)}/resolve`, {
        method: 'POST',
        body,
      });
      await reviewScreen(id, accepted.position.token);
    } catch (error) {
      message.textContent = `Not decided: ${error.message}`;
      for (const button of document.querySelectorAll('.actions button, .candidate button')) {
        button.disabled = false;
      }
    }
  };

  show(
    h('h1', null, `Review of ${nameOf(review.subject)}`),
    h(
      'p',
      { class: 'meta' },
      `Requested ${formatDate(review.requestedAt)} · best score ${percent(review.score)} · `,
      h('a', { href: `#/documents/${encodeURIComponent(review.documentId)}` }, 'Document page'),
    ),
    decision(review),
    h(
      'div',
      { class: review.evidence.pageImages ? 'review with-images' : 'review' },
      h(
        'section',
        { class: 'text', 'aria-labelledby': 'text-heading' },
        h(
          'h2',
          { id: 'text-heading' },
          review.evidence.pageImages ? 'Document pages' : 'Document text',
        ),
        h(
          'p',
          { class: 'legend' },
          'Marked: ',
          h('mark', { class: 'mark-name' }, 'name'),
          ' ',
          h('mark', { class: 'mark-dateOfBirth' }, 'date of birth'),
          ' ',
          h('mark', { class: 'mark-identifier' }, 'identifiers'),
        ),
        documentText(review.evidence, review.documentId),
      ),
      h(
        'section',
        { class: 'compare', 'aria-labelledby': 'compare-heading' },
        h('h2', { id: 'compare-heading' }, 'Candidates'),
        h(
          'div',
          { class: 'cards' },
          subjectCard(review.subject),
          review.candidates.length === 0
            ? h('p', { class: 'empty' }, 'No patient came close.')
            : review.candidates.map((c) => candidateCard(c, open, resolve)),
        ),
        open
          ? h(
              'div',
              { class: 'actions' },
              h('label', { for: 'note' }, 'Note (optional)'),
              note,
              h(
                'button',
                { type: 'button', onclick: () => resolve({ action: 'register' }) },
                'Register as a new patient',
              ),
              h(
                'button',
                { type: 'button', class: 'danger', onclick: () => resolve({ action: 'reject' }) },
                'Reject',
              ),
              message,
            )
          : null,
      ),
    ),
  );
}
