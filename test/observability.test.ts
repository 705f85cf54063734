// Decision observability through the public build: the revision on every decision, the onDecision hook (all or a
// sample), and one span per decision batch through a real OpenTelemetry SDK tracer.
import { describe, expect, it } from 'vitest';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createEngine, ValidationError, type AuthorizeRequest, type DecisionRecord, type EngineOptions, type SourceInput } from '@portcullis/engine';

const NOW = Date.parse('2025-03-12T10:30:00Z');
const source: SourceInput = {
  version: 1,
  accounts: [{ id: 'acct-1', system: 'ibm' }],
  services: [{ name: 'cloud-object-storage', type: 'service', roles: { Reader: ['cloud-object-storage.object.get'] } }],
  roles: [{ id: 'Reader', kind: 'service' }],
  principals: [
    { id: 'IBMid-alice', accountId: 'acct-1', kind: 'user' },
    { id: 'IBMid-bob', accountId: 'acct-1', kind: 'user' },
  ],
  groups: [{ id: 'AccessGroupId-data', accountId: 'acct-1', name: 'Data', members: ['IBMid-alice'] }],
  resources: [{ id: 'bucket-1', accountId: 'acct-1', attributes: { serviceName: 'cloud-object-storage', resource: 'r1' } }],
  policies: [
    {
      id: 'p-1',
      accountId: 'acct-1',
      subject: { kind: 'group', id: 'AccessGroupId-data' },
      roles: ['Reader'],
      resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'cloud-object-storage' }] },
    },
  ],
};
const resource = { attributes: { accountId: 'acct-1', serviceName: 'cloud-object-storage', resource: 'r1' } };
// a request naming a registered resource by id is one the decision cache keeps
const ask = (id: string): AuthorizeRequest => ({ subject: { id }, action: 'cloud-object-storage.object.get', resource: { id: 'bucket-1' } });
/** A batch item: a request without its subject (the batch's subject is decided; an item carrying one is refused). */
const item = (): Omit<AuthorizeRequest, 'subject'> => ({ action: 'cloud-object-storage.object.get', resource: { id: 'bucket-1' } });
const bobPolicy = {
  id: 'p-bob',
  accountId: 'acct-1',
  subject: { kind: 'principal', id: 'IBMid-bob' },
  roles: ['Reader'],
  resource: { attributes: [{ name: 'serviceName', operator: 'stringEquals', value: 'cloud-object-storage' }] },
};

const make = (o: Partial<EngineOptions> = {}) => createEngine({ source, clock: () => NOW, ...o });
const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof ValidationError ? e.code : 'not a ValidationError';
  }
  return undefined;
};

describe('the revision on every decision', () => {
  it('is the source revision the decision was made on, cached or not, single or batched', async () => {
    const engine = make();
    expect(engine.authorize(ask('IBMid-alice')).revision).toBe(0);
    expect(engine.authorize(ask('IBMid-alice')).revision).toBe(0); // from the cache
    expect(engine.authorize(ask('IBMid-bob'), { explain: true }).revision).toBe(0);
    await engine.commit([{ op: 'put', entity: 'policy', value: bobPolicy }]);
    expect(engine.revision).toBe(1);
    const bob = engine.authorize(ask('IBMid-bob'));
    expect([bob.allowed, bob.revision]).toEqual([true, 1]);
    expect(engine.authorize(ask('IBMid-alice')).revision).toBe(1); // the revision-0 entry is never served again
    expect(engine.authorizeMany({ id: 'IBMid-alice' }, [item(), item()]).map((d) => d.revision)).toEqual([1, 1]);
    await engine.replaceSource(source);
    expect(engine.authorize(ask('IBMid-bob'))).toMatchObject({ allowed: false, revision: 2 });
    // an invalid request is decided on a revision too
    expect(engine.authorize({ subject: { id: 'IBMid-alice' }, action: '', resource } as AuthorizeRequest)).toMatchObject({ reason: 'invalid-request', revision: 2 });
  });
});

describe('onDecision', () => {
  it('sees every decision with its request, revision, time and whether it was cached; the decisions are unchanged', () => {
    const records: DecisionRecord[] = [];
    const logged = make({ onDecision: (r) => records.push(r) });
    const plain = make();
    const requests = [ask('IBMid-alice'), ask('IBMid-alice'), ask('IBMid-bob'), { ...ask('IBMid-bob'), environment: { now: '2025-03-13T00:00:00Z' } }];
    for (const r of requests) expect(logged.authorize(r)).toEqual(plain.authorize(r));
    expect(records.map((r) => [r.request, r.decision.allowed, r.revision, r.at, r.cached])).toEqual([
      [requests[0], true, 0, NOW, false],
      [requests[1], true, 0, NOW, true],
      [requests[2], false, 0, NOW, false],
      [requests[3], false, 0, Date.parse('2025-03-13T00:00:00Z'), false],
    ]);
    const batch = logged.authorizeMany({ id: 'IBMid-alice' }, [{ action: 'cloud-object-storage.object.get', resource }, { action: 'nope', resource }]);
    expect(records.slice(4).map((r) => [r.request.subject.id, r.request.action, r.decision, r.cached])).toEqual([
      ['IBMid-alice', 'cloud-object-storage.object.get', batch[0], false],
      ['IBMid-alice', 'nope', batch[1], false],
    ]);
  });

  it('samples deterministically: a rate of 0.25 logs every 4th decision, 0 none', () => {
    let n = 0;
    const quarter = make({ onDecision: () => void n++, decisionSampleRate: 0.25 });
    for (let i = 0; i < 100; i++) quarter.authorize(ask(i % 2 ? 'IBMid-alice' : 'IBMid-bob'));
    expect(n).toBe(25);
    let none = 0;
    const off = make({ onDecision: () => void none++, decisionSampleRate: 0 });
    for (let i = 0; i < 10; i++) off.authorize(ask('IBMid-alice'));
    off.authorizeMany({ id: 'IBMid-alice' }, [item(), item()]);
    expect(none).toBe(0);
  });

  it('a hook that throws changes no decision and is counted', () => {
    const engine = make({
      onDecision: () => {
        throw new Error('log sink down');
      },
    });
    expect(engine.authorize(ask('IBMid-alice')).allowed).toBe(true);
    expect(engine.authorize(ask('IBMid-bob')).allowed).toBe(false);
    expect(engine.authorizeMany({ id: 'IBMid-alice' }, [item()])[0]!.allowed).toBe(true);
    expect(engine.hookErrors).toBe(3);
    expect(make().hookErrors).toBe(0);
  });

  it('refuses bad options at construction', () => {
    expect(codeOf(() => make({ onDecision: 'log' as never }))).toBe('invalid_options');
    expect(codeOf(() => make({ onDecision: () => undefined, decisionSampleRate: 2 }))).toBe('invalid_options');
    expect(codeOf(() => make({ onDecision: () => undefined, decisionSampleRate: Number.NaN }))).toBe('invalid_options');
    expect(codeOf(() => make({ decisionSampleRate: 0.5 }))).toBe('invalid_options');
    expect(codeOf(() => make({ tracer: {} as never }))).toBe('invalid_options');
  });
});

describe('tracer', () => {
  it('records one span per authorize call and per authorizeMany batch, through the OpenTelemetry SDK', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const engine = make({ tracer: provider.getTracer('portcullis-test') });
    const plain = make();
    expect(engine.authorize(ask('IBMid-alice'))).toEqual(plain.authorize(ask('IBMid-alice')));
    engine.authorize(ask('IBMid-alice'));
    const batch = engine.authorizeMany({ id: 'IBMid-alice' }, [item(), { action: 'nope', resource }, { action: 'x' } as never]);
    expect(batch.map((d) => d.reason)).toEqual(['allow', 'no-match', 'invalid-request']);
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['portcullis.authorize', 'portcullis.authorize', 'portcullis.authorizeMany']);
    expect(spans.map((s) => s.attributes)).toEqual([
      { 'portcullis.decisions': 1, 'portcullis.revision': 0, 'portcullis.allowed': 1, 'portcullis.denied': 0, 'portcullis.invalid_requests': 0, 'portcullis.cached': 0 },
      { 'portcullis.decisions': 1, 'portcullis.revision': 0, 'portcullis.allowed': 1, 'portcullis.denied': 0, 'portcullis.invalid_requests': 0, 'portcullis.cached': 1 },
      { 'portcullis.decisions': 3, 'portcullis.revision': 0, 'portcullis.allowed': 1, 'portcullis.denied': 2, 'portcullis.invalid_requests': 1, 'portcullis.cached': 0 },
    ]);
    // a batch that is not an array is refused, and its span still ends
    expect(() => engine.authorizeMany({ id: 'IBMid-alice' }, 'nope' as never)).toThrow(ValidationError);
    await provider.forceFlush();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toHaveLength(4);
    expect(engine.hookErrors).toBe(0);
    await provider.shutdown();
  });
});
