/** A running throwaway cluster. */
export interface Cluster {
  url: string;
  port: number;
  dir: string;
  start(): void;
  stop(mode?: 'smart' | 'fast' | 'immediate'): void;
  destroy(): void;
}
export function findPostgresBin(): string;
export function freePort(): Promise<number>;
export function startCluster(options?: { fsync?: boolean }): Promise<Cluster>;
