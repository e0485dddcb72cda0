import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** Converts a query-string integer (`"2"` → 2); anything else is left for `@IsInt` to refuse. */
export const ToInteger = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value,
  );

/** Converts a query-string boolean (`"true"`/`"false"`); anything else is left for `@IsBoolean` to refuse. */
export const ToBoolean = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value));

/** Auth0's `include_totals=true` envelope: `{start, limit, length, total, <name>: [...]}`. */
export function withTotals<T>(
  name: string,
  items: T[],
  paging: { page: number; perPage: number; total: number },
): Record<string, unknown> {
  return {
    start: paging.page * paging.perPage,
    limit: paging.perPage,
    length: items.length,
    total: paging.total,
    [name]: items,
  };
}

/**
 * Auth0's `fields` + `include_fields`: keeps (or drops, when `include` is false) the comma-separated fields;
 * without `fields` the view is returned whole.
 */
export function selectFields<T extends object>(
  view: T,
  fields: string | undefined,
  include = true,
): Partial<T> {
  const names = new Set(
    (fields ?? '')
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean),
  );
  if (names.size === 0) return view;
  return Object.fromEntries(Object.entries(view).filter(([key]) => names.has(key) === include)) as Partial<T>;
}

/** Auth0's `fields` + `include_fields` query parameters, shared by every read endpoint. */
export class FieldsQuery {
  /** Comma-separated fields to include (or exclude with `include_fields=false`). */
  @ApiPropertyOptional({
    maxLength: 1024,
    description: 'Comma-separated fields to include (or exclude with `include_fields=false`).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  fields?: string;

  @ApiPropertyOptional({
    type: Boolean,
    default: true,
    description: 'Whether `fields` lists what to include.',
  })
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  include_fields = true;
}

/** Auth0's paging on top of `fields`: `page` (0-based; at most the first 1000), `per_page`, `include_totals`. */
export class PagedFieldsQuery extends FieldsQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 1000, default: 0, description: '0-based.' })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(0)
  @Max(1000)
  page = 0;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(100)
  per_page = 50;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'Answer `{start, limit, length, total, <items>}` instead of an array.',
  })
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  include_totals = false;
}
