// The part of autocannon's programmatic API that scripts/bench.ts uses (the package has no types,
// and @types/autocannon would be one more dependency for a handful of fields).

declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      url: string;
      method?: string;
      headers?: Record<string, string>;
      body?: string;
      connections?: number;
      duration?: number;
      timeout?: number;
      title?: string;
      /** Requests sent in turn; setupRequest may rewrite each one just before it is sent. */
      requests?: {
        method?: string;
        path?: string;
        headers?: Record<string, string>;
        body?: string;
        setupRequest?: (request: SentRequest) => SentRequest;
      }[];
      /** Leaves histograms encoded so several runs can be merged with aggregateResult(). */
      skipAggregateResult?: boolean;
    }

    interface SentRequest {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
    }

    /** What one run gives with `skipAggregateResult: true`. */
    interface RawResult {
      /** Encoded latency histogram (ms). */
      latencies: string;
      totalCompletedRequests: number;
      errors: number;
      timeouts: number;
      non2xx: number;
      '2xx': number;
      /** Seconds. */
      duration: number;
    }

    interface Histogram {
      average: number;
      p50: number;
      p99: number;
      max: number;
    }

    interface Result {
      latency: Histogram;
      requests: Histogram & { total: number };
      errors: number;
      timeouts: number;
      non2xx: number;
      '2xx': number;
    }

    function aggregateResult(results: RawResult[], opts: Options): Result;
  }

  function autocannon(opts: autocannon.Options & { skipAggregateResult: true }): Promise<autocannon.RawResult>;
  function autocannon(opts: autocannon.Options): Promise<autocannon.Result>;

  export = autocannon;
}
