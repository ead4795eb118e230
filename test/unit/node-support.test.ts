import { nodeSupportWarning } from '../../lib/node-support';

const on = (date: string) => new Date(`${date}T12:00:00Z`);

describe('nodeSupportWarning', () => {
  it('warns on Node 20 after its end of life on 2026-04-30, not before', () => {
    expect(nodeSupportWarning('20.20.2', on('2026-04-30'))).toBeUndefined();
    const warning = nodeSupportWarning('20.20.2', on('2026-11-27'));
    expect(warning).toContain('Node.js 20.20.2 reached its end of life on 2026-04-30');
    expect(warning).toContain('Node.js 24 LTS');
  });

  it('does not warn on the supported LTS lines 22 and 24', () => {
    expect(nodeSupportWarning('22.12.0', on('2026-11-27'))).toBeUndefined();
    expect(nodeSupportWarning('v24.21.0', on('2026-11-27'))).toBeUndefined();
    expect(nodeSupportWarning('24.21.0', on('2028-05-01'))).toContain('end of life on 2028-04-30');
  });

  it('warns on short-lived odd releases once they ended, and on anything older than 18', () => {
    expect(nodeSupportWarning('25.1.0', on('2026-11-27'))).toContain('end of life on 2026-06-01');
    expect(nodeSupportWarning('16.20.0', on('2026-11-27'))).toContain('long past its end of life');
  });

  it('does not warn on versions newer than it knows', () => {
    expect(nodeSupportWarning('30.0.0', on('2026-11-27'))).toBeUndefined();
  });
});
