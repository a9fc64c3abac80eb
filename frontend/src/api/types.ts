// Shapes of the ShopDesk HTTP API as the admin SPA uses them.
// The Python models in shared/settings and shared/identity are authoritative.

/**
 * Sign-in, refresh and new-password all answer this one shape: tokens, or (sign-in only)
 * `challenge: "NEW_PASSWORD_REQUIRED"` with a `session`; unused fields are null. The refresh
 * token never appears here: the server keeps it in an HttpOnly cookie on /api/auth.
 */
export interface Tokens {
  id_token?: string | null
  access_token?: string | null
  expires_in?: number | null
  challenge?: string | null
  session?: string | null
}

export type SignInResponse = Tokens

export interface DemoAccount {
  email: string
  role: string
}

export interface AuthConfig {
  demo: boolean
  demo_password?: string | null
  demo_accounts?: DemoAccount[]
}

export interface ShopMembership {
  shop_id: string
  name: string
  roles: string[]
}

export interface CurrentShop extends ShopMembership {
  permissions: string[]
}

export interface UserView {
  id: string
  email: string
  name?: string | null
  /** E-mail address or +86 mobile number the user signs in with. */
  login?: string
  /** "" when not given. */
  phone?: string
}

/** An invitation to a shop waiting for the signed-in person's answer. */
export interface PendingInvitation {
  shop_id: string
  shop_name: string
  roles: string[]
  invited_at: string
}

export interface Me {
  user: UserView
  shops: ShopMembership[]
  current: CurrentShop | null
  invitations?: PendingInvitation[]
}

export const CURRENCIES = ['CNY', 'HKD', 'MOP', 'TWD', 'USD', 'EUR', 'JPY', 'GBP', 'SGD'] as const
export type Currency = (typeof CURRENCIES)[number]

export interface ShopProfile {
  name: string
  logo_key: string | null
  logo_url?: string | null
  /** Optional text fields are "" when empty (never null). */
  contact_name: string
  contact_phone: string
  contact_email: string
  address: string
  time_zone: string
  currency: Currency
  version: number
}

export const PAYMENT_METHOD_CODES = ['alipay', 'wechat_pay', 'unionpay', 'bank_transfer', 'cash_on_delivery'] as const
export type PaymentMethodCode = (typeof PAYMENT_METHOD_CODES)[number]

export interface PaymentMethod {
  code: PaymentMethodCode
  enabled: boolean
  settings: Record<string, string | number | null | undefined>
}

export interface PaymentMethods {
  methods: PaymentMethod[]
  version: number
}

export interface DeliveryRegions {
  provinces: string[]
  version: number
}

export interface WeeklyHours {
  weekday: number
  closed: boolean
  /** "HH:mm"; kept (and required) even on a closed day. */
  open: string
  close: string
}

export interface ClosedDay {
  date: string
  reason: string
}

export interface BusinessHours {
  weekly: WeeklyHours[]
  closed_days: ClosedDay[]
  version: number
}

/** One notification topic's channels (shared/settings/models.py TopicChannels). */
export interface TopicChannels {
  /** Always true: the bell in the header. */
  in_app: true
  email: boolean
  sms: boolean
  extra_emails: string[]
  /** Answered as +86 and 11 digits. */
  extra_phones: string[]
}

export interface NotificationSettings {
  /** Every registered topic, in registry order (low_stock, stock_digest, staff_access, ...). */
  topics: Record<string, TopicChannels>
  version: number
}

export interface ShopSettings {
  profile: ShopProfile
  payment_methods: PaymentMethods
  delivery_regions: DeliveryRegions
  business_hours: BusinessHours
  notifications: NotificationSettings
}

export type SettingsSection = keyof ShopSettings

export interface Region {
  code: string
  name_zh: string
  name_en: string
}

export interface LogoUploadTicket {
  key: string
  upload: { url: string; fields: Record<string, string> }
  expires_in: number
  max_bytes?: number
}

export interface AuditEntry {
  id: string
  occurred_at: string
  actor: { id: string; email?: string | null } | null
  source_ip?: string | null
  user_agent?: string | null
  action: string
  resource: string
  resource_id: string
  changed: string[]
  before: Record<string, unknown> | null
  after: Record<string, unknown> | null
}

// --- identity and access (shared/identity/staff.py, roles.py; functions/identity/app.py) ---

/** shared/auth/built_in_roles.py: names come from the locale files (`roles.<code>`) or GET /roles. */
export const BUILT_IN_ROLE_CODES = ['owner', 'customer_service', 'warehouse', 'marketing', 'finance', 'auditor'] as const

export type StaffStatus = 'active' | 'disabled' | 'invited'

/** login/email/phone come back masked (w***@x.com, 138****8000) without personal_data.view. */
export interface StaffView {
  user_id: string
  name: string
  login: string
  email: string
  phone: string
  roles: string[]
  status: StaffStatus
  version: number
  created_at: string
  invited_by: string | null
}

export interface StaffInvite {
  login: string
  name: string
  roles: string[]
}

export interface StaffUpdate {
  version: number
  name: string
  roles: string[]
}

/** The same whether or not the login existed: a pending member (status "invited"). */
export interface Invitation {
  staff: StaffView
  sent_to: string
}

export interface StaffQuery {
  status?: StaffStatus | ''
  role?: string
  q?: string
  limit?: number
  cursor?: string | null
}

export interface PermissionInfo {
  code: string
  resource: string
  action: string
  name_zh: string
  name_en: string
}

export interface PermissionList {
  /** Resources in registry order. */
  resources: string[]
  items: PermissionInfo[]
}

export interface RoleView {
  code: string
  name_zh: string
  name_en: string
  built_in: boolean
  permissions: string[]
  members: number
  version: number
}

export interface RoleInput {
  name_zh: string
  name_en: string
  permissions: string[]
}

export interface AuditFilters {
  resource?: string
  /** User id. */
  actor?: string
  /** Action or its beginning (`staff.` = every staff action). */
  action?: string
  /** ISO-8601 UTC, inclusive. */
  from?: string
  /** ISO-8601 UTC, exclusive. */
  to?: string
}

export type ExportFormat = 'csv' | 'xlsx'

export interface ExportFile {
  url: string
  filename: string
  rows: number
  format: ExportFormat
  /** Seconds the URL stays valid. */
  expires_in: number
}

export interface ShopCreated {
  shop_id: string
  name: string
}

// -- notifications (shared/notifications/inbox.py) ------------------------------------------
export interface LocalizedText {
  'zh-CN': string
  en: string
}

export interface NotificationView {
  id: string
  topic: string
  title: LocalizedText
  body: LocalizedText
  /** A path of this app (e.g. /staff), or null. */
  link: string | null
  data: Record<string, unknown>
  created_at: string
  read: boolean
  read_at: string | null
}

export interface UnreadCount {
  count: number
  /** More than `count` (the badge shows 99+). */
  more: boolean
}

export interface Page<T> {
  items: T[]
  next_cursor: string | null
  /** Only part of the matches were considered (a search sorted by price or update sorts at most 1,000). */
  truncated?: boolean
}

// -- catalog (shared/catalog/models.py, shared/catalog/categories.py) ------------------------
export type ProductStatus = 'on_shelf' | 'off_shelf'
export type SkuStatus = 'active' | 'disabled'
export type ShelfAction = 'list' | 'delist'
export type ProductSort = 'created' | 'updated' | 'price'
/** Inventory's stock as the catalog shows it: out (nothing available, or no stock yet), low (a SKU at or below its safety stock). */
export type StockState = 'in_stock' | 'low' | 'out'

export interface ShelfSchedule {
  action: ShelfAction
  at: string
}

export interface ProductSummary {
  id: string
  name: string
  brand: string
  category_id: string | null
  currency: string
  main_image?: string | null
  status: ProductStatus
  schedule?: ShelfSchedule | null
  /** Lowest / highest price of the active SKUs, 分. */
  price_min: number
  price_max: number
  sku_count: number
  /** Units available over all SKUs and warehouses (inventory's; lists show it a moment after it changes). */
  stock_available: number
  stock_state: StockState
  version: number
  created_at: string
  updated_at: string
}

export interface SpecView {
  name: string
  values: string[]
}

export interface AttributeView {
  name: string
  value: string
}

export interface SkuView {
  id: string
  values: string[]
  price: number
  strike_price?: number | null
  cost_price?: number | null
  weight_g: number
  volume_cm3: number
  code: string
  barcode: string
  status: SkuStatus
  /** Units available in all warehouses, read when the product was fetched. */
  available?: number | null
}

/** A ready product image; URLs are short-lived (presigned). */
export interface ProductImage {
  id: string
  url: string
  thumb_url: string
  large_url: string
  width: number
  height: number
}

export interface ImageUploadTicket {
  image_id: string
  key: string
  upload: { url: string; fields: Record<string, string> }
  expires_in: number
  max_bytes?: number
}

export type ImageStatus = 'pending' | 'ready' | 'rejected'

export interface ImageStatusView {
  id: string
  status: ImageStatus
  reason?: string | null
  /** When ready. */
  image?: ProductImage | null
}

export interface ProductView extends ProductSummary {
  description: string
  attributes: AttributeView[]
  images: ProductImage[]
  specs: SpecView[]
  skus: SkuView[]
}

export interface SkuInput {
  id?: string
  values: string[]
  price: number
  strike_price: number | null
  cost_price: number | null
  weight_g: number
  volume_cm3: number
  code: string
  barcode: string
  status: SkuStatus
}

export interface ProductInput {
  name: string
  brand: string
  category_id: string | null
  description: string
  attributes: AttributeView[]
  specs: SpecView[]
  skus: SkuInput[]
  /** Ready image ids in display order (first = main image); omitted: the images stay. */
  images?: string[]
}

export interface ProductQuery {
  q?: string
  category_id?: string
  status?: ProductStatus
  stock_state?: StockState
  price_min?: number
  price_max?: number
  sort?: ProductSort
  order?: 'asc' | 'desc'
  limit?: number
  cursor?: string | null
}

export interface ShelfView {
  id: string
  status: ProductStatus
  schedule?: ShelfSchedule | null
}

export interface ShelfResult {
  id: string
  ok: boolean
  status?: ProductStatus | null
  schedule?: ShelfSchedule | null
  error?: { code: string; message: string } | null
}

export interface CategoryNode {
  id: string
  name: string
  parent_id: string | null
  sort: number
  /** 1 = top level. */
  depth: number
  version: number
  /** Products in this category and its sub-categories. */
  product_count: number
  own_product_count: number
  child_count: number
  children: CategoryNode[]
}

export type CategoryView = Omit<CategoryNode, 'children'>

export interface CategoryTree {
  version: number
  items: CategoryNode[]
}

// --- catalog import / export jobs (docs/catalog.md "Import and export") ---
export type JobKind = 'import' | 'export'
export type JobStatus = 'awaiting_upload' | 'queued' | 'running' | 'succeeded' | 'partial' | 'failed'
export type ImportMode = 'valid_rows' | 'all_or_nothing'

export interface JobRowError {
  /** Row number as the spreadsheet shows it (header = 1). */
  row: number | null
  /** The column's header in the file. */
  column: string | null
  code: string
  message: string
}

export interface JobView {
  id: string
  kind: JobKind
  status: JobStatus
  format: ExportFormat
  mode: ImportMode | null
  filename: string | null
  encoding: string | null
  total: number | null
  processed: number
  created: number
  updated: number
  failed: number
  error: { code: string; message: string } | null
  errors: JobRowError[]
  error_count: number
  report_url: string | null
  file_url: string | null
  file_rows: number | null
  actor: { id: string; email: string }
  created_at: string
  updated_at: string
  finished_at: string | null
}

export interface ImportTicket {
  job: JobView
  upload: { url: string; fields: Record<string, string> }
  expires_in: number
  max_bytes: number
}

export interface TemplateFile {
  url: string
  filename: string
  format: ExportFormat
  expires_in: number
}

/** The filter fields of GET /products that an export takes. */
export type ProductFilter = Omit<ProductQuery, 'limit' | 'cursor'>
