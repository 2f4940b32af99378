// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { GIB } from '../../../../shared/app-model';
import { FakeBridge } from '../../../fixtures/fake-bridge';
import { makeApp, makeProcess } from '../../../fixtures/app-model';
import { emitWebChange, openScale } from '../../../fixtures/scale-tab';

afterEach(cleanup);

describe('the worker slider of the Scale tab', () => {
  it("sends a second change of workers with the count ScaleDesk's own first change left", async () => {
    const app = makeApp();
    const bridge = new FakeBridge([app]);
    await openScale(bridge);
    const web = () => screen.getByRole('region', { name: 'web' });
    const redeploy = async (key: string) => {
      fireEvent.keyDown(within(web()).getByRole('slider', { name: 'Workers' }), { key });
      fireEvent.click(within(web()).getByRole('button', { name: 'Save and redeploy' }));
      fireEvent.click(
        within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Redeploy' }),
      );
    };

    await redeploy('ArrowLeft');
    await waitFor(() => expect(bridge.callsOf('process.setWorkers')).toHaveLength(1));
    // The first change lands: the model shows web at 3 workers.
    emitWebChange(bridge, app, { workers: { ...app.processes[0]!.workers!, count: 3 } });
    await waitFor(() =>
      expect(
        within(web()).getByRole('slider', { name: 'Workers' }).getAttribute('aria-valuenow'),
      ).toBe('3'),
    );

    await redeploy('ArrowLeft');
    await waitFor(() =>
      expect(bridge.callsOf('process.setWorkers').map((call) => call.expectedWorkers)).toEqual([
        4, 3,
      ]),
    );
    expect(bridge.callsOf('process.setWorkers')[1]?.workers).toBe(2);
  });

  it('moves the workers with the arrow keys, estimates memory, and redeploys after a confirmation', async () => {
    const bridge = new FakeBridge([makeApp()]);
    await openScale(bridge);
    const web = screen.getByRole('region', { name: 'web' });
    const slider = within(web).getByRole('slider', { name: 'Workers' });
    expect(slider.getAttribute('aria-valuenow')).toBe('4');
    fireEvent.keyDown(slider, { key: 'ArrowLeft' });
    expect(slider.getAttribute('aria-valuenow')).toBe('3');
    // 0.5 GiB per worker measured now.
    expect(within(web).getByText('about 1.5 GiB')).toBeTruthy();

    fireEvent.click(within(web).getByRole('button', { name: 'Save and redeploy' }));
    const dialog = screen.getByRole('alertdialog');
    expect(within(dialog).getByText(/This is a redeploy/)).toBeTruthy();
    expect(bridge.callsOf('process.setWorkers')).toEqual([]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Redeploy' }));
    await waitFor(() =>
      expect(bridge.callsOf('process.setWorkers')).toEqual([
        { namespace: 'team-a', app: 'shop', process: 'web', workers: 3, expectedWorkers: 4 },
      ]),
    );
  });

  it('warns where the workers would pass the memory limit, and about --preload', async () => {
    const app = makeApp();
    const web = makeProcess({
      ...app.processes[0]!,
      name: 'web',
      workers: { count: 4, spelling: '--workers', preload: true, configFile: null },
      memoryPerWorkerBytes: 1.5 * GIB,
    });
    await openScale(new FakeBridge([{ ...app, processes: [web, app.processes[1]!] }]));
    const card = screen.getByRole('region', { name: 'web' });
    expect(within(card).getByText(/--preload is on/)).toBeTruthy();
    expect(within(card).getByText(/--preload is on/).className).toContain(
      'worker-slider__warning--preload',
    );
    const slider = within(card).getByRole('slider', { name: 'Workers' });
    fireEvent.keyDown(slider, { key: 'ArrowRight' });
    fireEvent.keyDown(slider, { key: 'ArrowRight' });
    expect(within(card).getByText(/past its 8 GiB memory limit/)).toBeTruthy();
    expect(within(card).getByText(/past its 8 GiB memory limit/).className).toContain(
      'worker-slider__warning--danger',
    );
    expect(within(card).getByText(/--preload is on/).className).not.toContain(
      'worker-slider__warning--danger',
    );
  });

  it('needs an explicit acknowledgement before a count predicted to pass the limit can be saved', async () => {
    const app = makeApp();
    const web = makeProcess({ ...app.processes[0]!, memoryPerWorkerBytes: 1.5 * GIB });
    const bridge = new FakeBridge([{ ...app, processes: [web, app.processes[1]!] }]);
    await openScale(bridge);
    const card = screen.getByRole('region', { name: 'web' });
    const slider = within(card).getByRole('slider', { name: 'Workers' });
    const save = () => within(card).getByRole('button', { name: 'Save and redeploy' });
    // 6 workers × 1.5 GiB = 9 GiB, past the 8 GiB limit.
    fireEvent.keyDown(slider, { key: 'ArrowRight' });
    fireEvent.keyDown(slider, { key: 'ArrowRight' });
    expect((save() as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(within(card).getByRole('checkbox', { name: /predicted to be stopped/ }));
    expect((save() as HTMLButtonElement).disabled).toBe(false);
    // Another count past the limit asks again.
    fireEvent.keyDown(slider, { key: 'ArrowRight' });
    expect((save() as HTMLButtonElement).disabled).toBe(true);
    for (let i = 0; i < 4; i++) fireEvent.keyDown(slider, { key: 'ArrowLeft' });
    expect(slider.getAttribute('aria-valuenow')).toBe('3');
    // 3 workers fit: nothing to acknowledge.
    expect(within(card).queryByRole('checkbox', { name: /predicted to be stopped/ })).toBeNull();
    expect((save() as HTMLButtonElement).disabled).toBe(false);
  });
});
