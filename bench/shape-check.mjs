// Before any load: both servers must send the same bytes for the same request, or the
// comparison is unfair. Bodies are compared as text (create: apart from the new id).
import { HOST } from './bench-common.mjs';

async function fetchText(port, path, init) {
  const response = await fetch(`http://${HOST}:${port}${path}`, { ...init, signal: AbortSignal.timeout(5000) });
  return { status: response.status, body: await response.text() };
}

const BASE = '/api/collections/items/records';

/**
 * The probe request of an HTTP/1.1 workload: [kind, path for a server, fetch init]. The
 * cached workload compares Tandem's record route with the reference's prebuilt route.
 */
export function shapeProbe(workload, { ids, perPage, hotIds }) {
  const kind = workload.replace(/^pg-/, '');
  if (kind === 'get') return [kind, () => `${BASE}/${ids[12345 % ids.length]}`];
  if (kind === 'cached')
    return [
      kind,
      (name) =>
        `${name === 'reference' ? '/api/prebuilt/items/records' : BASE}/${ids[Math.min(hotIds, ids.length) >> 1]}`,
    ];
  if (kind === 'list')
    return [kind, () => `${BASE}?filter=${encodeURIComponent("category = 'c17'")}&perPage=${perPage}`];
  return [
    kind,
    () => BASE,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'shape check', category: 'c1', price: 12.5, active: true }),
    },
  ];
}

/** Sends each probe to every server; throws on a non-200; notes whether reference and Tandem agree. */
export async function checkShapes(servers, probes) {
  const notes = [];
  for (const [workload, pathFor, init] of probes) {
    const answers = {};
    for (const server of servers) answers[server.name] = await fetchText(server.port, pathFor(server.name), init);
    for (const [name, answer] of Object.entries(answers)) {
      if (answer.status !== 200)
        throw new Error(
          `shape check: ${name} answered ${answer.status} to ${workload} ${pathFor(name)}: ${answer.body.slice(0, 500)}`,
        );
    }
    if (answers.reference && answers.tandem) notes.push(compare(workload, answers.reference.body, answers.tandem.body));
  }
  return notes;
}

function compare(workload, referenceBody, tandemBody) {
  // Create: the ids differ; compare the rest.
  const strip = workload === 'create' ? (text) => JSON.stringify({ ...JSON.parse(text), id: '<id>' }) : (text) => text;
  const reference = strip(referenceBody);
  const tandem = strip(tandemBody);
  const identical = reference === tandem;
  return {
    workload,
    identical,
    referenceBytes: referenceBody.length,
    tandemBytes: tandemBody.length,
    ...(identical ? {} : { reference: reference.slice(0, 600), tandem: tandem.slice(0, 600) }),
  };
}

/** Prints the outcome of the shape check: one line when all agree, the bodies when not. */
export function printShapes(notes) {
  for (const note of notes) {
    if (!note.identical)
      console.log(
        `  WARNING: ${note.workload} responses differ (reference ${note.referenceBytes} B, tandem ${note.tandemBytes} B):\n    reference: ${note.reference}\n    tandem:    ${note.tandem}`,
      );
  }
  if (notes.length && notes.every((n) => n.identical))
    console.log(
      `  response check: identical bodies for ${notes.map((n) => `${n.workload} (${n.referenceBytes} B)`).join(', ')}`,
    );
}
