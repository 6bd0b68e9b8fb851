import { packageBuildConfig } from '../../tsup.config.base.ts';

export default packageBuildConfig();
