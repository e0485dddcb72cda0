export { checkLink, type ChainBreak, type LinkVerdict, type StreamHead } from './chain-guard';
export {
  DEVICE_CREDENTIAL_COLUMNS,
  DeviceCredentialProjection,
  type Projection,
} from './device-credentials/device-credential.projection';
export {
  evolveDeviceCredential,
  type DeviceCredentialRow,
} from './device-credentials/device-credential.view';
export { Projector, type ProjectorOptions } from './projector';
export { ProjectionsModule } from './projections.module';
export { ProjectorService } from './projector.service';
