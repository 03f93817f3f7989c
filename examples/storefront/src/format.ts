interface Money {
  amount: string;
  currencyCode: string;
}

export function money(value: Money): string {
  // Amounts are decimal strings; Intl formats them without a float round trip
  // for any amount a shop charges.
  return new Intl.NumberFormat(undefined, { style: "currency", currency: value.currencyCode })
    .format(Number(value.amount));
}

export function day(isoDate: string): string {
  return new Date(isoDate).toLocaleDateString(undefined, { dateStyle: "medium" });
}

export function calendarDay(date: string): string {
  // A `Date` is a day in the shop's time zone: shown as is, never shifted.
  return new Date(`${date}T00:00:00Z`).toLocaleDateString(undefined, {
    dateStyle: "medium",
    timeZone: "UTC",
  });
}

export function label(enumValue: string): string {
  const words = enumValue.toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
