// No Docker engine, cluster or CI runner is here, so the deploy artifacts are checked by parsing them:
// the Dockerfile with a Dockerfile parser, the Kubernetes manifests against the API's schemas
// (kubernetes-models, @kubernetes-models/keda), the GitHub workflow with GitHub's own parser, and
// cloudbuild.yaml against the build config's structure. temporal-compose.yml: compose.test.ts.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { DockerfileParser, type Copy, type Instruction } from 'dockerfile-ast';
import { Deployment } from 'kubernetes-models/apps/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { parseAllDocuments, parse } from 'yaml';
import { z } from 'zod';
import { TASK_QUEUES } from '../../platform/config.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

describe('Dockerfile', () => {
  const dockerfile = DockerfileParser.parse(read('Dockerfile'));
  const froms = dockerfile.getFROMs();
  const stages = froms.map((from, i) => {
    const end = froms[i + 1]?.getRange().start.line ?? Infinity;
    const start = from.getRange().start.line;
    return {
      name: from.getBuildStage(),
      image: from.getArgumentsContent(),
      instructions: dockerfile.getInstructions().filter((ins) => {
        const line = ins.getRange().start.line;
        return line >= start && line < end;
      }),
    };
  });
  const args = (ins: Instruction) => ins.getArguments().map((a) => a.getValue());
  const runtime = stages.at(-1)!;
  const of = (instructions: Instruction[], keyword: string) => instructions.filter((i) => i.getKeyword() === keyword);

  it('is multi-stage, on Debian (glibc for the Temporal core bridge)', () => {
    assert.ok(stages.length >= 2, `stages: ${stages.length}`);
    for (const s of stages) assert.match(s.image ?? '', /^node:20-bookworm/);
  });

  it('builds the workflow bundle in a build stage from production packages only', () => {
    const build = stages.find((s) => s.name === 'build')!;
    const runs = of(build.instructions, 'RUN').map((i) => i.getArgumentsContent() ?? '');
    assert.ok(
      runs.some((r) => /^npm ci --omit=dev\b/.test(r)),
      runs.join(' | '),
    );
    const bundle = runs.find((r) => r.includes('npm run bundle:workflows'));
    assert.ok(bundle, 'the bundle is built at image build time');
    const out = /bundle:workflows -- (\S+)/.exec(bundle)![1]!;
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    assert.ok(scripts['bundle:workflows'], 'the npm script exists');
    // The runtime stage copies it and points the workers at it.
    const copies = of(runtime.instructions, 'COPY').map((i) => {
      const from = (i as Copy)
        .getFlags()
        .find((f) => f.getName() === 'from')
        ?.getValue();
      return `${from} ${i.getArgumentsContent()}`;
    });
    assert.ok(copies.includes('build /app/dist ./dist'), copies.join(' | '));
    const env = of(runtime.instructions, 'ENV').flatMap((i) => args(i));
    assert.ok(env.includes(`WORKFLOW_BUNDLE_PATH=/app/${out}`), env.join(' '));
  });

  it('runs as a non-root user, with nothing of the build stage but what it copies', () => {
    const users = of(runtime.instructions, 'USER').map((i) => i.getArgumentsContent());
    assert.deepEqual(users, ['node']);
    assert.deepEqual(of(runtime.instructions, 'RUN'), [], 'no RUN in the runtime stage: nothing installed as root');
    const cmd = of(runtime.instructions, 'CMD')[0]!.getArgumentsContent() ?? '';
    assert.match(cmd, /workers\/main\.ts/);
    // Every source folder the processes import is copied.
    const copied = of(runtime.instructions, 'COPY').map((i) => args(i).at(-1));
    for (const dir of [
      'activities',
      'api',
      'contracts',
      'db',
      'domain',
      'ml',
      'platform',
      'web',
      'workers',
      'workflows',
    ])
      assert.ok(copied.includes(`./${dir}`), `${dir}/ is in the image`);
    const ignored = read('.dockerignore').split('\n');
    for (const p of ['node_modules', '.data', '.tools', '.git']) assert.ok(ignored.includes(p), `.dockerignore: ${p}`);
  });
});

describe('Kubernetes manifests (deploy/k8s)', () => {
  const dir = path.join(ROOT, 'deploy/k8s');
  const docs = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(readFileSync(path.join(dir, f), 'utf8')).map((d) => ({ file: f, doc: d })));
  const objects = docs.map(({ file, doc }) => {
    assert.deepEqual(doc.errors, [], file);
    return { file, obj: doc.toJS() as { apiVersion: string; kind: string; metadata: { name: string } } };
  });
  const MODELS: Record<string, new (o: never) => { validate(): void }> = {
    'apps/v1 Deployment': Deployment,
    'v1 Service': Service,
    'v1 ConfigMap': ConfigMap,
    'keda.sh/v1alpha1 ScaledObject': ScaledObject,
  };
  const byKind = (kind: string) => objects.map((o) => o.obj).filter((o) => o.kind === kind) as never[];

  it('validates every object against its API schema', () => {
    assert.ok(objects.length >= 9, `objects: ${objects.length}`);
    for (const { file, obj } of objects) {
      const Model = MODELS[`${obj.apiVersion} ${obj.kind}`];
      assert.ok(Model, `${file}: ${obj.apiVersion} ${obj.kind} has no schema here`);
      assert.doesNotThrow(() => new Model(obj as never).validate(), `${file}: ${obj.kind} ${obj.metadata.name}`);
    }
  });

  type Container = {
    command: string[];
    resources?: { requests?: object; limits?: object };
    livenessProbe?: object;
    readinessProbe?: object;
    startupProbe?: object;
  };
  type Deploy = { metadata: { name: string }; spec: { template: { spec: { containers: Container[] } } } };
  const container = (d: Deploy) => d.spec.template.spec.containers[0]!;

  it('has the API behind a Service, and one worker Deployment per task queue, each with probes and resources', () => {
    const deployments = byKind('Deployment') as Deploy[];
    const api = deployments.find((d) => d.metadata.name === 'retailflow-api')!;
    assert.ok(api && container(api).readinessProbe && container(api).livenessProbe);
    assert.ok((byKind('Service') as { spec: { selector: object } }[]).length === 1);
    for (const queue of Object.keys(TASK_QUEUES)) {
      const worker = deployments.find((d) => d.metadata.name === `retailflow-worker-${queue}`);
      assert.ok(worker, `a Deployment for the ${queue} queue`);
      assert.equal(container(worker).command.at(-1), queue, 'it polls only its queue');
      assert.ok(container(worker).livenessProbe && container(worker).startupProbe, `${queue}: probes`);
    }
    for (const d of deployments) {
      const { resources } = container(d);
      assert.ok(resources?.requests && resources.limits, `${d.metadata.name}: requests and limits`);
    }
  });

  it("scales each worker on its task queue's backlog (KEDA's Temporal scaler)", () => {
    const scaled = byKind('ScaledObject') as {
      spec: { scaleTargetRef: { name: string }; triggers: { type: string; metadata: Record<string, string> }[] };
    }[];
    for (const queue of Object.keys(TASK_QUEUES)) {
      const s = scaled.find((o) => o.spec.scaleTargetRef.name === `retailflow-worker-${queue}`);
      assert.ok(s, `${queue} is autoscaled`);
      const trigger = s.spec.triggers[0]!;
      assert.equal(trigger.type, 'temporal');
      assert.equal(trigger.metadata.taskQueue, queue);
      assert.ok(Number(trigger.metadata.targetQueueSize) > 0);
    }
  });
});

describe('GitHub Actions workflow', () => {
  it("parses without errors with GitHub's workflow parser and runs npm test", () => {
    const content = read('.github/workflows/ci.yml');
    const result = parseWorkflow({ name: 'ci.yml', content }, new NoOperationTraceWriter());
    assert.deepEqual(
      result.context.errors.getErrors().map((e) => e.message),
      [],
    );
    assert.ok(result.value, 'a workflow template');
    const steps = (parse(content) as { jobs: Record<string, { steps: { run?: string }[] }> }).jobs.test!.steps;
    assert.ok(steps.some((s) => s.run === 'npm test'));
    // A typo is caught: the check can fail.
    const broken = parseWorkflow(
      { name: 'b.yml', content: content.replace('runs-on:', 'run-on:') },
      new NoOperationTraceWriter(),
    );
    assert.ok(broken.context.errors.getErrors().length > 0);
  });
});

describe('cloudbuild.yaml', () => {
  // Cloud Build's build config (cloud.google.com/build/docs/build-config-file-schema), the fields used.
  const Step = z
    .object({
      id: z.string().optional(),
      name: z.string().min(1),
      entrypoint: z.string().optional(),
      args: z.array(z.string()).optional(),
      env: z.array(z.string()).optional(),
      waitFor: z.array(z.string()).optional(),
    })
    .strict();
  const Build = z
    .object({
      steps: z.array(Step).min(1),
      substitutions: z.record(z.string().regex(/^_[A-Z0-9_]+$/), z.string()).optional(),
      options: z
        .object({ dynamicSubstitutions: z.boolean().optional(), logging: z.string().optional() })
        .strict()
        .optional(),
      images: z.array(z.string()).optional(),
      timeout: z
        .string()
        .regex(/^\d+(\.\d+)?s$/)
        .optional(),
    })
    .strict();
  const BUILT_IN = new Set([
    'PROJECT_ID',
    'BUILD_ID',
    'PROJECT_NUMBER',
    'LOCATION',
    'COMMIT_SHA',
    'SHORT_SHA',
    'REVISION_ID',
    'BRANCH_NAME',
    'TAG_NAME',
    'REPO_NAME',
  ]);
  const text = read('cloudbuild.yaml');
  const build = Build.parse(parse(text));

  it('follows the build config structure, with each wait and substitution defined', () => {
    const ids = new Set<string>();
    for (const step of build.steps) {
      for (const w of step.waitFor ?? []) assert.ok(w === '-' || ids.has(w), `waitFor ${w}: no earlier step`);
      if (step.id) ids.add(step.id);
    }
    // $$ is a literal $ for the shell; every other ${X} must be built in or declared.
    for (const [, name] of text.replaceAll('$$', '').matchAll(/\$\{?(\w+)\}?/g))
      assert.ok(BUILT_IN.has(name!) || name! in (build.substitutions ?? {}), `undefined substitution ${name}`);
  });

  it('builds and pushes the image, migrates, and deploys the API and every worker queue to Cloud Run', () => {
    const image = build.images![0]!;
    const steps = build.steps.map((s) => [s.entrypoint ?? '', ...(s.args ?? [])].join(' '));
    assert.ok(steps.some((s) => s.includes('build') && s.includes(image)));
    assert.ok(steps.some((s) => s.includes('push') && s.includes(image)));
    assert.ok(steps.some((s) => /run jobs deploy retailflow-migrate/.test(s)));
    assert.ok(steps.some((s) => /run deploy retailflow-api/.test(s)));
    const workers = steps.find((s) => s.includes('retailflow-worker-'))!;
    assert.match(workers, new RegExp(`for queue in ${Object.keys(TASK_QUEUES).join(' ')};`));
  });
});
