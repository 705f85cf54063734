import type { Actor, AuthorizeRequest, Change, Engine } from '@portcullis/engine';
export const ACCOUNT: string;
export const GROUP: string;
export const SYSTEM: Actor;
export function principalId(worker: number, k: number): string;
export function baseChanges(workers: number, perWorker: number): Change[];
export function ask(principal: string): AuthorizeRequest;
export function addMember(engine: Engine, principal: string): Promise<unknown>;
export function until(check: () => boolean | Promise<boolean>, everyMs?: number): Promise<void>;
