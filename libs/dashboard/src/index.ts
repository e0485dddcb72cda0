export { DashboardModule } from './dashboard.module';
export { DashboardAdmins, type DashboardAdmin } from './admins/dashboard-admins';
export { DashboardSessions, type DashboardSession } from './sessions/dashboard-sessions';
export { DashboardPaths } from './http/dashboard-paths';
export { DASHBOARD_HEADERS } from './http/security-headers';
export { DASHBOARD_OPENAPI } from './dashboard.openapi';
