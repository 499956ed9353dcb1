// A Dockerfile as its build stages, shared by the image rules and the build replay.
import { DockerfileParser, From, type Instruction } from 'dockerfile-ast';

export interface BuildStage {
  /** The name after AS (lower case, as Docker compares them), or the stage's index for an unnamed one. */
  name: string;
  from: From;
  /** The instructions after FROM, in order. */
  instructions: Instruction[];
}

/** Instructions before the first FROM (global ARGs) belong to no stage and are left out. */
export function parseStages(text: string): BuildStage[] {
  const stages: BuildStage[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction instanceof From) {
      const name = instruction.getBuildStage()?.toLowerCase() ?? String(stages.length);
      stages.push({ name, from: instruction, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** True when the stage starts from an earlier stage rather than from an image. */
export function startsFromStage(stage: BuildStage, earlier: BuildStage[]): boolean {
  const image = stage.from.getImage()?.toLowerCase();
  return earlier.some((candidate) => candidate.name === image);
}
