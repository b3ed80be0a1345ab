import { bashTool } from './bash.js';
import { editTool } from './edit.js';
import { readTool } from './read.js';
import { runTestsTool } from './run-tests.js';
import { skipCaseTool } from './skip-case.js';
import type { AgentTool } from './tool.js';
import { writeTool } from './write.js';

/** The built-in agent's tools, in the order the model is offered them. A new tool is one file and one line here. */
export const BUILTIN_TOOLS: readonly AgentTool[] = [readTool, writeTool, editTool, bashTool, runTestsTool, skipCaseTool];
