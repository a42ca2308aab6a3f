// A real S3-compatible server for the tests and `npm start`: @20minutes/s3rver, files under
// `directory`, one bucket, its fixed credentials. It checks signatures (header and query, SigV4)
// and presigned expiry, and stores multipart uploads; it lacks AbortMultipartUpload (DELETE
// ?uploadId= answers 405 MethodNotAllowed), which the tests' fault proxy (test/s3-proxy.ts)
// stands in for.

import S3rver from '@20minutes/s3rver';

export interface S3Server {
  /** `http://127.0.0.1:PORT`: path-style, `<endpoint>/<bucket>/<key>`. */
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  close(): Promise<void>;
}

/** s3rver accepts only these keys. */
const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export async function startS3Server(options: { directory: string; bucket?: string; port?: number }): Promise<S3Server> {
  const bucket = options.bucket ?? 'recordings';
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory: options.directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  let closed: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    ...S3RVER_CREDENTIALS,
    close() {
      // Kept-alive connections (workerd pools them) would hold close() open.
      closed ??= (async () => {
        server.httpServer.closeAllConnections();
        await server.close();
      })();
      return closed;
    },
  };
}
