import { Type } from '@sinclair/typebox';
import { fail, type AgentTool } from './tool.js';

/** `skip_case {id, reason}`: parks a failing case in the skip-list; offered only when `agent.allow_skip` is set. */

const parameters = Type.Object(
  {
    id: Type.String({ minLength: 1, description: 'The case id' }),
    reason: Type.String({ minLength: 1, description: 'Why it cannot pass; shown to the maintainer' }),
  },
  { additionalProperties: false },
);

export const skipCaseTool: AgentTool<typeof parameters> = {
  name: 'skip_case',
  parameters,
  description: () =>
    'Park a case that cannot pass for a good reason (e.g. a platform difference). Recorded in the skip-list and the report; protected cases cannot be skipped.',
  available: (s) => s.skip !== undefined,
  unavailable: 'skip_case is not enabled for this run: the config does not allow skipping (agent.allow_skip); make the case pass instead',
  async execute(args, ctx) {
    const hooks = ctx.skip!;
    const refusal = hooks.refuse(args.id);
    if (refusal) return fail(refusal);
    return hooks.skipCase(args.id, args.reason.trim());
  },
};
