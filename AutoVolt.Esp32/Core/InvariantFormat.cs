using System.Text;

namespace AutoVolt.Esp32.Core;

/// <summary>
/// Culture-free number and time formatting written out by hand: nanoFramework has no
/// <c>CultureInfo.InvariantCulture</c> overloads, and a payload must never carry a decimal comma.
/// </summary>
public static class InvariantFormat
{
    /// <summary>Appends a decimal integer ("-12", "0").</summary>
    public static void AppendInteger(StringBuilder sb, long value)
    {
        if (value < 0)
        {
            sb.Append('-');
            if (value == long.MinValue)
            {
                sb.Append("9223372036854775808");
                return;
            }

            value = -value;
        }

        char[] digits = new char[20];
        int n = 0;
        do
        {
            digits[n++] = (char)('0' + (int)(value % 10));
            value /= 10;
        }
        while (value > 0);

        while (n > 0)
        {
            sb.Append(digits[--n]);
        }
    }

    /// <summary>
    /// Appends <paramref name="scaled"/> / 10^<paramref name="decimals"/> with trailing zeros of the
    /// fraction removed: (12345670, 3) gives "12345.67", (40000, 3) gives "40".
    /// </summary>
    public static void AppendFixed(StringBuilder sb, long scaled, int decimals)
    {
        if (decimals < 0 || decimals > 9)
        {
            throw new System.ArgumentOutOfRangeException(nameof(decimals));
        }

        long divisor = 1;
        for (int i = 0; i < decimals; i++)
        {
            divisor *= 10;
        }

        if (scaled < 0)
        {
            sb.Append('-');
            scaled = -scaled;
        }

        AppendInteger(sb, scaled / divisor);
        long fraction = scaled % divisor;
        if (fraction == 0)
        {
            return;
        }

        int width = decimals;
        while (fraction % 10 == 0)
        {
            fraction /= 10;
            width--;
        }

        sb.Append('.');
        long pad = 1;
        for (int i = 1; i < width; i++)
        {
            pad *= 10;
        }

        while (pad > fraction && pad > 1)
        {
            sb.Append('0');
            pad /= 10;
        }

        AppendInteger(sb, fraction);
    }

    /// <summary>Appends Unix milliseconds as ISO-8601 UTC <c>yyyy-MM-ddTHH:mm:ss.fffZ</c> (years 1970..9999).</summary>
    public static void AppendIsoUtc(StringBuilder sb, long unixMs)
    {
        if (unixMs < 0)
        {
            throw new System.ArgumentOutOfRangeException(nameof(unixMs));
        }

        long days = unixMs / 86400000;
        long msOfDay = unixMs % 86400000;

        // Civil date from days since 1970-01-01 (H. Hinnant's days_from_civil inverse).
        long z = days + 719468;
        long era = z / 146097;
        long doe = z - (era * 146097);
        long yoe = (doe - (doe / 1460) + (doe / 36524) - (doe / 146096)) / 365;
        long year = yoe + (era * 400);
        long doy = doe - ((365 * yoe) + (yoe / 4) - (yoe / 100));
        long mp = ((5 * doy) + 2) / 153;
        long day = doy - (((153 * mp) + 2) / 5) + 1;
        long month = mp < 10 ? mp + 3 : mp - 9;
        if (month <= 2)
        {
            year++;
        }

        Pad(sb, year, 4);
        sb.Append('-');
        Pad(sb, month, 2);
        sb.Append('-');
        Pad(sb, day, 2);
        sb.Append('T');
        Pad(sb, msOfDay / 3600000, 2);
        sb.Append(':');
        Pad(sb, (msOfDay / 60000) % 60, 2);
        sb.Append(':');
        Pad(sb, (msOfDay / 1000) % 60, 2);
        sb.Append('.');
        Pad(sb, msOfDay % 1000, 3);
        sb.Append('Z');
    }

    /// <summary>Formats Unix milliseconds as <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>.</summary>
    public static string IsoUtc(long unixMs)
    {
        StringBuilder sb = new StringBuilder(24);
        AppendIsoUtc(sb, unixMs);
        return sb.ToString();
    }

    /// <summary>Appends a JSON string literal with quotes and escapes.</summary>
    public static void AppendJsonString(StringBuilder sb, string value)
    {
        const string Hex = "0123456789abcdef";
        sb.Append('"');
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c == '"' || c == '\\')
            {
                sb.Append('\\');
                sb.Append(c);
            }
            else if (c < ' ')
            {
                sb.Append("\\u00");
                sb.Append(Hex[c >> 4]);
                sb.Append(Hex[c & 0xF]);
            }
            else
            {
                sb.Append(c);
            }
        }

        sb.Append('"');
    }

    private static void Pad(StringBuilder sb, long value, int width)
    {
        long limit = 1;
        for (int i = 1; i < width; i++)
        {
            limit *= 10;
        }

        while (limit > 1 && value < limit)
        {
            sb.Append('0');
            limit /= 10;
        }

        AppendInteger(sb, value);
    }
}
