import { isUnavailable } from '../../api/errors';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const named = (name: string, props: Record<string, unknown> = {}) => Object.assign(new Error('x'), { name }, props);

describe('isUnavailable', () => {
  it('recognises ECONNREFUSED by code', () => {
    expect(isUnavailable(Object.assign(new Error('nope'), { code: 'ECONNREFUSED' }))).toBe(true);
  });

  it.each(['ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'P1001', 'P1002', 'P1017', 'P2024'])('recognises the code %s', (code) => {
    expect(isUnavailable(Object.assign(new Error('x'), { code }))).toBe(true);
  });

  it('recognises ECONNREFUSED nested in a cause chain', () => {
    const err = new Error('query failed', { cause: new Error('driver failed', { cause: refused() }) });
    expect(isUnavailable(err)).toBe(true);
  });

  it('recognises ECONNREFUSED inside an AggregateError', () => {
    const err = new AggregateError([new Error('other'), Object.assign(new Error(''), { code: 'ECONNREFUSED' })], '');
    expect(isUnavailable(err)).toBe(true);
  });

  it('recognises ECONNREFUSED in an AggregateError-like errors array', () => {
    expect(isUnavailable({ name: 'SomeError', message: '', errors: [{ code: 'ECONNREFUSED' }] })).toBe(true);
  });

  it('recognises an AggregateError nested in a cause', () => {
    const inner = new AggregateError([Object.assign(new Error(''), { code: 'ECONNREFUSED' })], '');
    expect(isUnavailable(new Error('outer', { cause: inner }))).toBe(true);
  });

  it('recognises PrismaClientInitializationError by name', () => {
    expect(isUnavailable(named('PrismaClientInitializationError'))).toBe(true);
  });

  it.each([14, 4, undefined])('recognises a Temporal ServiceError with code %s', (code) => {
    expect(isUnavailable(named('ServiceError', { code }))).toBe(true);
  });

  it('recognises a Temporal ConnectionError', () => {
    expect(isUnavailable(named('ConnectionError', { code: 14 }))).toBe(true);
  });

  it('does not treat other gRPC codes as unavailable', () => {
    expect(isUnavailable(named('ServiceError', { code: 5 }))).toBe(false);
  });

  it.each([
    'Connection terminated unexpectedly',
    "Can't reach database server at localhost:5432",
    'connect ETIMEDOUT 10.0.0.1:7233',
    'Failed to connect to the server',
    'timeout exceeded when trying to connect',
  ])('recognises the message %j', (message) => {
    expect(isUnavailable(new Error(message))).toBe(true);
  });

  it.each([
    ['a plain Error', new Error('boom')],
    ['a TypeError', new TypeError('x is undefined')],
    ['null', null],
    ['undefined', undefined],
    ['a string', 'ECONNREFUSED'],
    ['a number', 14],
    ['an unknown code', Object.assign(new Error('x'), { code: 'EACCES' })],
    ['an empty errors array', new AggregateError([], 'boom')],
  ])('is false for %s', (_label, err) => {
    expect(isUnavailable(err)).toBe(false);
  });

  it('stops at a cyclic cause chain', () => {
    const err = new Error('loop') as Error & { cause?: unknown };
    err.cause = err;
    expect(isUnavailable(err)).toBe(false);
  });

  it('looks no deeper than five causes', () => {
    let err: unknown = refused();
    for (let i = 0; i < 10; i++) err = new Error(`wrap ${i}`, { cause: err });
    expect(isUnavailable(err)).toBe(false);
    let shallow: unknown = refused();
    for (let i = 0; i < 5; i++) shallow = new Error(`wrap ${i}`, { cause: shallow });
    expect(isUnavailable(shallow)).toBe(true);
  });
});
