// The workflows every worker registers.
export { stackCheck } from './stackCheck.ts';
