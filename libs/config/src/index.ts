export { AppConfig, InvalidConfigError, loadConfig } from './config';
export { EnvDto } from './env.dto';
export { ConfigModule } from './config.module';
export { configFromEnvironment } from './environment';
