// The settings of Worker Deployment Versioning and the build id a worker derives from its code.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../lib/config';
import { buildIdOf, deploymentOptions, packageVersion } from '../../worker/versioning';

describe('worker versioning settings', () => {
  it('leave the choice to the entry point, name the deployment handoff and promote only a first version by default', () => {
    expect(loadConfig({}).workerVersioning).toEqual({ enabled: undefined, deploymentName: 'handoff', buildId: undefined, promoteOnStart: 'initial' });
  });

  it('read on and off, a deployment name, a build id and when to promote', () => {
    const config = loadConfig({ HANDOFF_WORKER_VERSIONING: 'on', HANDOFF_DEPLOYMENT_NAME: 'shop-handoff', HANDOFF_BUILD_ID: '2.0.0+abc1234', HANDOFF_PROMOTE_ON_START: 'never' });
    expect(config.workerVersioning).toEqual({ enabled: true, deploymentName: 'shop-handoff', buildId: '2.0.0+abc1234', promoteOnStart: 'never' });
    expect(loadConfig({ HANDOFF_WORKER_VERSIONING: 'off', HANDOFF_BUILD_ID: '' }).workerVersioning).toMatchObject({ enabled: false, buildId: undefined });
  });

  it('refuse what the server would refuse: a dot in the deployment name (it separates name and build id), spaces, other words', () => {
    expect(() => loadConfig({ HANDOFF_DEPLOYMENT_NAME: 'shop.handoff' })).toThrow(/HANDOFF_DEPLOYMENT_NAME/);
    expect(() => loadConfig({ HANDOFF_BUILD_ID: 'build 7' })).toThrow(/HANDOFF_BUILD_ID/);
    expect(() => loadConfig({ HANDOFF_WORKER_VERSIONING: 'true' })).toThrow(/HANDOFF_WORKER_VERSIONING/);
    expect(() => loadConfig({ HANDOFF_PROMOTE_ON_START: 'yes' })).toThrow(/HANDOFF_PROMOTE_ON_START/);
  });
});

describe('build id', () => {
  const version = (JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

  it('is the package version and a hash of the workflow code: the same code, the same id; other code, another', () => {
    expect(packageVersion()).toBe(version);
    const id = buildIdOf('workflow code');
    expect(id).toMatch(new RegExp(`^${version.replace(/\./g, '\\.')}\\+[0-9a-f]{12}$`));
    expect(buildIdOf('workflow code')).toBe(id);
    expect(buildIdOf('workflow code, changed')).not.toBe(id);
  });

  it('is HANDOFF_BUILD_ID when that is set', () => {
    expect(buildIdOf('workflow code', '2.0.0+abc1234')).toBe('2.0.0+abc1234');
  });

  it('goes with auto-upgrade: briefs move to the current version, their patches keep them replaying', () => {
    expect(deploymentOptions({ deploymentName: 'handoff', buildId: 'b' })).toEqual({
      useWorkerVersioning: true,
      version: { deploymentName: 'handoff', buildId: 'b' },
      defaultVersioningBehavior: 'AUTO_UPGRADE',
    });
  });
});
