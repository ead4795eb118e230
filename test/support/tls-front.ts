// TLS in front of a Temporal dev server (which serves plain gRPC only): a certificate authority,
// a server certificate for localhost and a client certificate, made with openssl for each test
// run, and a TLS listener that requires a client certificate signed by that authority (mTLS) and
// passes the decrypted HTTP/2 stream to the dev server.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';

export interface Certificates {
  dir: string;
  caPath: string;
  clientCertPath: string;
  clientKeyPath: string;
  /** A client certificate from an authority the server does not trust. */
  strangerCertPath: string;
  strangerKeyPath: string;
  serverCert: Buffer;
  serverKey: Buffer;
  ca: Buffer;
}

/** Makes a CA, a server certificate (localhost, 127.0.0.1) and client certificates with openssl. */
export function makeCertificates(): Certificates {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'handoff-tls-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const key = (name: string) => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(name));
  const authority = (name: string) => {
    key(`${name}.key`);
    openssl('req', '-x509', '-new', '-key', file(`${name}.key`), '-out', file(`${name}.pem`), '-days', '2', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  };
  const leaf = (name: string, ca: string, extensions: string) => {
    key(`${name}.key`);
    openssl('req', '-new', '-key', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${name}`);
    writeFileSync(file(`${name}.ext`), extensions);
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${ca}.pem`), '-CAkey', file(`${ca}.key`), '-CAcreateserial', '-out', file(`${name}.pem`), '-days', '2', '-extfile', file(`${name}.ext`));
  };
  authority('handoff-test-ca');
  authority('stranger-ca');
  leaf('localhost', 'handoff-test-ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  leaf('handoff-worker', 'handoff-test-ca', 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  leaf('stranger', 'stranger-ca', 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  return {
    dir,
    caPath: file('handoff-test-ca.pem'),
    clientCertPath: file('handoff-worker.pem'),
    clientKeyPath: file('handoff-worker.key'),
    strangerCertPath: file('stranger.pem'),
    strangerKeyPath: file('stranger.key'),
    serverCert: readFileSync(file('localhost.pem')),
    serverKey: readFileSync(file('localhost.key')),
    ca: readFileSync(file('handoff-test-ca.pem')),
  };
}

export interface TlsFront {
  /** host:port of the TLS listener. */
  address: string;
  /** Common names of the client certificates of every session that was let through. */
  clients: string[];
  /** Sessions refused during the handshake (no certificate, or one the CA did not sign). */
  refused: number;
  stop(): Promise<void>;
}

/** Listens with TLS on 127.0.0.1, requires a client certificate of `certs`' CA, and pipes to `target`. */
export async function startTlsFront(target: string, certs: Certificates): Promise<TlsFront> {
  const [targetHost, targetPort] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const sockets = new Set<net.Socket>();
  const front: TlsFront = { address: '', clients: [], refused: 0, stop: async () => undefined };
  const server = tls.createServer({ key: certs.serverKey, cert: certs.serverCert, ca: certs.ca, requestCert: true, rejectUnauthorized: true, ALPNProtocols: ['h2'] }, (socket) => {
    front.clients.push(String(socket.getPeerCertificate().subject?.CN));
    const upstream = net.connect(targetPort, targetHost === 'localhost' ? '127.0.0.1' : targetHost);
    sockets.add(socket).add(upstream);
    const close = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    socket.pipe(upstream).pipe(socket);
  });
  server.on('tlsClientError', () => {
    front.refused += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  front.address = `localhost:${(server.address() as net.AddressInfo).port}`;
  front.stop = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(certs.dir, { recursive: true, force: true });
  };
  return front;
}
