/**
 * @module deploy
 * Deployment generators (Dockerfile, Compose, Kubernetes, GitHub Actions, Jenkins) and their
 * offline checks.
 */
export type { Problem } from "./checks.js";
export { formatProblems } from "./checks.js";
export { validateGithubWorkflow, validateJenkinsfile } from "./ci-validate.js";
export type { DeployResult, WriteOptions } from "./commands.js";
export {
  deployCi,
  deployCompose,
  deployDocker,
  deployKubernetes,
  kubectlDryRun,
  validateDeployFiles,
} from "./commands.js";
export type { ComposeOptions } from "./compose.js";
export { composeFiles } from "./compose.js";
export type { DockerOptions } from "./docker.js";
export { dockerFiles, isRemoteModel } from "./docker.js";
export type { CiOptions } from "./github.js";
export { githubWorkflow } from "./github.js";
export { jenkinsfile } from "./jenkins.js";
export type { KubernetesManifests, KubernetesOptions } from "./k8s.js";
export { kubernetesManifests } from "./k8s.js";
export { validateKubernetesFiles } from "./k8s-validate.js";
export type { GeneratedFiles } from "./output.js";
export { writeGeneratedFiles } from "./output.js";
