// The onReview hook through the public build: what the access checks of each guarded `apply` cost, counted, for a host
// to log; heard once per run, accepted or refused, never for `system`, and never able to change the outcome.
import { describe, expect, it } from 'vitest';
import { createEngine, ibmPolicyOperations as pol, ValidationError, type ReviewWork } from '@portcullis/engine';
import { refusal, SYSTEM, who } from './helpers/access.js';
import { apply, IBM_FORBIDDEN, ibmWorld, kmsFor, may, key } from './helpers/ibm-world.js';

describe('onReview', () => {
  it('hears each guarded run once: an accepted IBM createPolicy with the requests it decided, a refused one as refused', async () => {
    const runs: ReviewWork[] = [];
    const e = await ibmWorld([], { onReview: (w) => void runs.push(w) });
    // the world is set up by `system` and by commits: nothing heard
    expect(runs).toEqual([]);
    await apply(e, pol.createPolicy, kmsFor('IBMid-friend', []), who('IBMid-me', 'acc'));
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ operation: 'createPolicy', refused: false });
    expect(runs[0]!.requests).toBeGreaterThan(0);
    expect(runs[0]!.instants).toBeGreaterThan(0);
    // the friend holds nothing on iam-access-management: its grant is refused, and heard as refused
    expect(await refusal(apply(e, pol.createPolicy, kmsFor('IBMid-me', []), who('IBMid-friend', 'acc')))).toEqual(IBM_FORBIDDEN);
    expect(runs).toHaveLength(2);
    expect(runs[1]).toMatchObject({ operation: 'createPolicy', refused: true });
  });

  it('is not called for the system actor', async () => {
    const runs: ReviewWork[] = [];
    const e = await ibmWorld([], { onReview: (w) => void runs.push(w) });
    await apply(e, pol.createPolicy, kmsFor('IBMid-friend', []), SYSTEM);
    expect(runs).toEqual([]);
  });

  it('a hook that throws changes no outcome: it is counted in hookErrors and dropped', async () => {
    const e = await ibmWorld([], {
      onReview: () => {
        throw new Error('log sink down');
      },
    });
    await apply(e, pol.createPolicy, kmsFor('IBMid-friend', []), who('IBMid-me', 'acc'));
    expect(may(e, 'IBMid-friend', 'acc', 'kms.keys.write', key('k'))).toBe(true);
    expect(await refusal(apply(e, pol.createPolicy, kmsFor('IBMid-me', []), who('IBMid-friend', 'acc')))).toEqual(IBM_FORBIDDEN);
    expect(e.hookErrors).toBe(2);
  });

  it('is checked at construction like every option', () => {
    expect(() => createEngine({ onReview: 'log' as never })).toThrow(ValidationError);
  });
});
