import { Type } from '@sinclair/typebox';
import { ok, type AgentTool } from './tool.js';

/** `run_tests {phase?, filter?}`: the harness's verdict, compact. The judge, not the agent, runs the suite. */

const parameters = Type.Object(
  {
    phase: Type.Optional(Type.String({ minLength: 1, description: 'Only this phase' })),
    filter: Type.Optional(Type.String({ minLength: 1, description: 'Only case ids matching this glob' })),
  },
  { additionalProperties: false },
);

export const runTestsTool: AgentTool<typeof parameters> = {
  name: 'run_tests',
  parameters,
  description: () => 'Run the snapshot suite against the port and get the verdict: counts and the first failures. This is the judge.',
  async execute(args, ctx) {
    return ok(await ctx.runTests(args.phase, args.filter));
  },
};
