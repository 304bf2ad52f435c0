/**
 * @module scaffold/templates/typescript
 * The TypeScript project template: `package.json` depending on `lathe`, stage scripts run with
 * `tsx`, training through Lathe's built-in trainers and logging through the Lathe SDK.
 */
import { VERSION } from "../../version.js";
import {
  dvcignore,
  type FileMap,
  gitignore,
  layoutSection,
  lifecycleTargets,
  makefile,
  type ProjectNames,
  RAW_DATA,
  readmeWorkflow,
} from "./common.js";
import { typescriptSources } from "./typescript-src.js";

/** Versions the generated `package.json` asks for (stated here so no registry is asked). */
export const TYPESCRIPT_PINS = {
  lathe: `^${VERSION}`,
  tsx: "^4.20.0",
  typescript: "^5.8.0",
  "@types/node": "^20.17.0",
} as const;

function packageJson(names: ProjectNames): string {
  const manifest = {
    name: names.packageName,
    version: "0.1.0",
    private: true,
    type: "module",
    engines: { node: ">=20" },
    scripts: {
      lint: "tsc --noEmit",
      test: "tsx --test tests/*.test.ts",
      data: "lathe repro featurize",
      repro: "lathe repro",
      serve: `lathe serve models/model --name ${names.packageName}`,
    },
    dependencies: { lathe: TYPESCRIPT_PINS.lathe },
    devDependencies: {
      "@types/node": TYPESCRIPT_PINS["@types/node"],
      tsx: TYPESCRIPT_PINS.tsx,
      typescript: TYPESCRIPT_PINS.typescript,
    },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: true,
      noEmit: true,
      types: ["node"],
    },
    include: ["src", "tests"],
  },
  null,
  2,
)}\n`;

/** `dvc.yaml`: four stages over the src steps; `${…}` values come from params.yaml. */
export function typescriptDvcYaml(module: string): string {
  const src = `src/${module}`;
  return `stages:
  prepare:
    cmd: tsx ${src}/data/prepare.ts --test-fraction \${prepare.test_fraction} --seed \${prepare.seed}
    deps:
      - ${src}/data/prepare.ts
      - ${src}/csv.ts
      - ${RAW_DATA}
    params:
      - prepare
    outs:
      - data/interim/train.csv
      - data/interim/test.csv
  featurize:
    cmd: tsx ${src}/features/featurize.ts --charges-per-tenure \${featurize.charges_per_tenure}
    deps:
      - ${src}/features
      - data/interim/train.csv
      - data/interim/test.csv
    params:
      - featurize
    outs:
      - data/processed/train.csv
      - data/processed/test.csv
  train:
    cmd: >-
      tsx ${src}/models/train.ts --algo \${train.algo} --n-estimators \${train.n_estimators}
      --max-depth \${train.max_depth} --seed \${train.seed}
    deps:
      - ${src}/models/train.ts
      - data/processed/train.csv
      - data/processed/test.csv
    params:
      - train
    outs:
      - models/model
      - reports/train.json:
          cache: false
  evaluate:
    cmd: tsx ${src}/models/evaluate.ts
    deps:
      - ${src}/models/evaluate.ts
      - ${src}/visualization
      - reports/train.json
    metrics:
      - reports/metrics.json:
          cache: false
    plots:
      - reports/confusion.json:
          cache: false
          template: confusion
          x: predicted
          y: actual
      - reports/figures/confusion.svg:
          cache: false
`;
}

function typescriptMakefile(names: ProjectNames): string {
  return makefile(
    [
      "export PATH := $(CURDIR)/node_modules/.bin:$(PATH)",
      `IMAGE ?= ${names.packageName}:latest`,
      `RAW := ${RAW_DATA}`,
      "SUITE := references/expectations.yml",
    ],
    [
      ["install", "install the dependencies", ["npm install"]],
      ["lint", "type-check the sources", ["tsc --noEmit"]],
      ["test", "run the unit tests", ["tsx --test tests/*.test.ts"]],
      ...lifecycleTargets(names, "the trained model"),
    ],
  );
}

function typescriptReadme(names: ProjectNames): string {
  return `# ${names.title}

A machine-learning project on Lathe: data versioning, a
reproducible pipeline, experiment tracking, serving and deployment, in TypeScript.

## Start

\`\`\`sh
npm install       # lathe, tsx, typescript (commit package-lock.json; CI runs npm ci)
make train        # or: npx lathe repro
make test
\`\`\`

Stage commands call \`tsx\` and \`lathe\`; \`make\` and \`npm run\` put \`node_modules/.bin\` on the PATH.

${readmeWorkflow()}
${layoutSection(names.module, "Training uses Lathe's built-in trainers (`lathe train`: tree, rf, hgb, logreg, linear, ridge); the\nevaluate stage logs its metrics with the Lathe SDK (`LatheClient`) when `MLFLOW_TRACKING_URI` is set.")}`;
}

/** Every file of the TypeScript template except the shared ones. */
export function typescriptTemplate(names: ProjectNames): FileMap {
  return {
    "package.json": packageJson(names),
    "tsconfig.json": TSCONFIG,
    "dvc.yaml": typescriptDvcYaml(names.module),
    Makefile: typescriptMakefile(names),
    "README.md": typescriptReadme(names),
    ".gitignore": gitignore(["node_modules/", "dist/", "*.tsbuildinfo"]),
    ".dvcignore": dvcignore(["node_modules/"]),
    ...typescriptSources(names),
  };
}
