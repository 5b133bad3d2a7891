import t from 'tap';
import { FlowError, runFlow, type Step } from '../../../controller/worker/steps.js';

interface Ctx {
  trail: string[];
}

function step(name: string, fail = false, revertFails = false): Step<Ctx> {
  return {
    name,
    run: async (ctx) => {
      ctx.trail.push(`run ${name}`);
      if (fail) throw new Error(`${name} broke`);
    },
    revert: async (ctx) => {
      ctx.trail.push(`revert ${name}`);
      if (revertFails) throw new Error(`revert ${name} broke`);
    },
  };
}

t.test('all steps run in order and nothing is reverted on success', async (t) => {
  const ctx: Ctx = { trail: [] };
  await runFlow('f', [step('a'), step('b'), step('c')], ctx);
  t.same(ctx.trail, ['run a', 'run b', 'run c']);
});

t.test('a failure reverts the failing step and those before it, newest first', async (t) => {
  const ctx: Ctx = { trail: [] };
  const noRevert: Step<Ctx> = { name: 'n', run: async (c) => void c.trail.push('run n') };
  const err = await runFlow('f', [step('a'), noRevert, step('b'), step('c', true), step('d')], ctx).catch(
    (e: unknown) => e,
  );
  t.ok(err instanceof FlowError);
  t.equal((err as FlowError).step, 'c');
  t.match((err as FlowError).message, /f: step c failed: c broke/);
  t.same(ctx.trail, ['run a', 'run n', 'run b', 'run c', 'revert c', 'revert b', 'revert a']);
});

t.test('a failing revert does not stop the other reverts nor hide the cause', async (t) => {
  const ctx: Ctx = { trail: [] };
  const err = (await runFlow('f', [step('a'), step('b', false, true), step('c', true)], ctx).catch(
    (e: unknown) => e,
  )) as FlowError;
  t.same(ctx.trail, ['run a', 'run b', 'run c', 'revert c', 'revert b', 'revert a']);
  t.equal((err.cause as Error).message, 'c broke');
  t.same(
    err.revertErrors.map((r) => r.step),
    ['b'],
  );
});
