// Temporal's remote codec protocol, for the Temporal Web UI (and `temporal --codec-endpoint`): the
// UI posts a history's encrypted payloads to /codec/decode and shows them decrypted to someone with
// a key; /codec/encode is its way back (starting or signalling a workflow from the UI). The codecs
// are the API's own Temporal client's, so the endpoint decrypts exactly what the workers encrypt.
import { createRoute, z } from '@hono/zod-openapi';
import { ApplicationFailure, type Payload, type PayloadCodec } from '@temporalio/common';
import { cors } from 'hono/cors';
import { requireRole } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { BEARER, errors, json, router } from '../openapi.ts';

const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: 'must be base64' });
const PayloadsSchema = z
  .object({
    payloads: z.array(
      z.object({
        metadata: z.record(z.string(), Base64).optional().openapi({ description: 'metadata values, base64' }),
        data: Base64.optional().openapi({ description: 'the payload bytes, base64' }),
      }),
    ),
  })
  .openapi('CodecPayloads', { description: "Temporal's remote codec protocol: payloads with base64 fields" });
type WirePayloads = z.output<typeof PayloadsSchema>;

const codecRoute = (action: 'decode' | 'encode', summary: string) =>
  createRoute({
    method: 'post',
    path: `/codec/${action}`,
    tags: ['operations'],
    security: BEARER,
    summary,
    request: { body: { content: { 'application/json': { schema: PayloadsSchema } }, required: true } },
    responses: { 200: json(PayloadsSchema, `the payloads, ${action}d`), ...errors(400, 401, 403, 413) },
  });

const fromWire = ({ payloads }: WirePayloads): Payload[] =>
  payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  }));
const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');
const toWire = (payloads: Payload[]): WirePayloads => ({
  payloads: payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
    data: b64(p.data),
  })),
});

/** Runs the codecs as the SDK does: encode in order, decode in reverse; a payload that fails is a 400. */
async function apply(codecs: readonly PayloadCodec[], action: 'decode' | 'encode', payloads: Payload[]) {
  let result = payloads;
  try {
    for (const codec of action === 'encode' ? codecs : [...codecs].reverse()) result = await codec[action](result);
  } catch (err) {
    if (err instanceof ApplicationFailure) throw new ApiError(400, 'undecodable_payload', err.message, 'payloads');
    throw err;
  }
  return result;
}

export function codecRoutes({ cfg, temporal, keys }: ApiDeps) {
  const codecs = temporal.options.loadedDataConverter.payloadCodecs;
  const app = router();
  // The UI calls from the browser, at its own origin; X-Namespace is the protocol's header.
  app.use(
    '/codec/*',
    cors({
      origin: new URL(cfg.temporal.uiUrl).origin,
      allowMethods: ['POST', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type', 'X-Namespace'],
      credentials: true,
    }),
  );
  const decode = codecRoute('decode', 'Decrypt Temporal payloads (remote codec for the Temporal UI); read');
  const encode = codecRoute('encode', 'Encrypt Temporal payloads (remote codec for the Temporal UI); write');
  return app
    .openapi({ ...decode, middleware: [requireRole(keys, 'read')] as const }, async (c) =>
      c.json(toWire(await apply(codecs, 'decode', fromWire(c.req.valid('json')))), 200),
    )
    .openapi({ ...encode, middleware: [requireRole(keys, 'write')] as const }, async (c) =>
      c.json(toWire(await apply(codecs, 'encode', fromWire(c.req.valid('json')))), 200),
    );
}
