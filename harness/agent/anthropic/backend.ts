/** The built-in agent on Claude: the provider-neutral turn loop driving the Anthropic provider. */
import type { AgentBackend } from '../types.js';
import { createModelBackend, type TurnLoopOptions } from '../turn/turn-loop.js';
import { createAnthropicProvider, type AnthropicProviderOptions } from './provider.js';

export type AnthropicBackendOptions = AnthropicProviderOptions & Omit<TurnLoopOptions, 'kind'>;

export function createAnthropicBackend(opts: AnthropicBackendOptions = {}): AgentBackend {
  return createModelBackend(createAnthropicProvider(opts), { ...opts, kind: 'anthropic' });
}
