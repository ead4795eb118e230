// Handoff on a Temporal cluster reached over mutual TLS: TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY,
// TEMPORAL_TLS_CA and TEMPORAL_TLS_SERVER_NAME for the API's client and the worker alike. The dev
// server speaks plain gRPC only, so it runs behind a TLS listener that requires a client
// certificate of the test's own authority (test/support/tls-front.ts); certificates are made
// with openssl for the run.
import { Connection, type TLSConfig } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../../lib/config';
import { securityOptions } from '../../lib/temporal/runtime';
import { directory } from '../support/directory';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { devServerEnv } from '../support/temporal';
import { makeCertificates, startTlsFront, type Certificates, type TlsFront } from '../support/tls-front';

describe('Temporal over mutual TLS', () => {
  let env: TestWorkflowEnvironment;
  let certs: Certificates;
  let front: TlsFront;
  let handoff: TestHandoff;

  beforeAll(async () => {
    env = await devServerEnv();
    certs = makeCertificates();
    front = await startTlsFront(env.address, certs);
    handoff = await startTestHandoff(env, {
      database: 'pglite',
      extraEnv: {
        TEMPORAL_ADDRESS: front.address,
        TEMPORAL_TLS_CERT: certs.clientCertPath,
        TEMPORAL_TLS_KEY: certs.clientKeyPath,
        TEMPORAL_TLS_CA: certs.caPath,
        TEMPORAL_TLS_SERVER_NAME: 'localhost',
      },
    });
  }, 120_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await front?.stop();
    await env?.teardown();
  });

  test('the API and the worker reach the cluster with the client certificate: a brief runs through its workflow', async () => {
    const dir = directory(handoff.url);
    const shop = await dir.party('Shop', 'ecommerce');
    const agency = await dir.party('Pixelwerk');
    const manager = await dir.member(shop, 'manager', 'Mara');
    const member = await dir.member(agency, 'member', 'Paula');
    const created = await manager.client.post('/v1/briefs', { title: 'Product feed', description: 'Fix the GTIN column', partyId: agency, priority: 'P2' });
    expect(created.status).toBe(201);
    const acknowledged = await member.client.post(`/v1/briefs/${created.body.id}/acknowledge`, {});
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body.status).toBe('in_progress');
    // The client's and the worker's connections both came through the TLS front with the certificate.
    expect(front.clients.length).toBeGreaterThanOrEqual(2);
    expect(new Set(front.clients)).toEqual(new Set(['handoff-worker']));
  });

  test('without a client certificate, or with one the cluster does not trust, nothing gets through', async () => {
    const refusedBefore = front.refused;
    const attempt = async (tls: TLSConfig | undefined) => {
      const connection = await Connection.connect({ address: front.address, tls, connectTimeout: 5_000 });
      try {
        await connection.workflowService.getSystemInfo({});
      } finally {
        await connection.close();
      }
    };
    const ca = readFileSync(certs.caPath);
    await expect(attempt({ serverRootCACertificate: ca, serverNameOverride: 'localhost' })).rejects.toThrow();
    await expect(
      attempt({ serverRootCACertificate: ca, serverNameOverride: 'localhost', clientCertPair: { crt: readFileSync(certs.strangerCertPath), key: readFileSync(certs.strangerKeyPath) } }),
    ).rejects.toThrow();
    expect(front.refused).toBeGreaterThan(refusedBefore);
    // The same options as Handoff's own connect.
    await expect(attempt(securityOptions({ tls: { certPath: certs.clientCertPath, keyPath: certs.clientKeyPath, caPath: certs.caPath, serverName: 'localhost' }, apiKey: undefined }).tls)).resolves.toBeUndefined();
  });

  test('a certificate without its key (or the other way round) is refused at start, and an unreadable file is named', () => {
    expect(() => loadConfig({ TEMPORAL_TLS_CERT: certs.clientCertPath })).toThrow(/TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together/);
    expect(() => loadConfig({ TEMPORAL_TLS_KEY: certs.clientKeyPath })).toThrow(ConfigError);
    const config = loadConfig({ TEMPORAL_TLS_CA: '/nonexistent/ca.pem' });
    expect(() => securityOptions({ tls: config.temporal.tls, apiKey: undefined })).toThrow(/cannot read TEMPORAL_TLS_CA \/nonexistent\/ca.pem/);
    // An API key (Temporal Cloud) turns TLS on with the system's roots, and travels as a bearer token.
    const cloud = loadConfig({ TEMPORAL_API_KEY: 'cloud-api-key' });
    expect(securityOptions({ tls: cloud.temporal.tls, apiKey: cloud.temporal.apiKey })).toEqual({ tls: {}, apiKey: 'cloud-api-key' });
  });
});
