/**
 * @module scaffold
 * `lathe new`: project templates (Cookiecutter Data Science layout, Lathe pipeline and serving).
 */
export type { NewProjectOptions, NewProjectResult, TemplateName } from "./new-project.js";
export { createProject, projectNames, renderProject, TEMPLATES } from "./new-project.js";
export type { FileMap, ProjectNames } from "./templates/common.js";
export { PYTHON_DEV_PINS, PYTHON_PINS } from "./templates/python.js";
export { TYPESCRIPT_PINS } from "./templates/typescript.js";
