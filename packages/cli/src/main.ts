// The `faultline` command: the lab's commands and the chaos commands, composed here so that
// neither package has to know the other's commands (chaos depends on lab, never the reverse).
import { registerChaosCommands } from '@faultline/chaos/cli';
import { labConfig, labProgram, runProgram } from '@faultline/lab/cli';

const program = labProgram();
registerChaosCommands(program, labConfig);
await runProgram(program);
