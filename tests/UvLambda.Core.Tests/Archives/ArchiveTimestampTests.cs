using UvLambda.Core.Archives;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Tests.Archives;

public class ArchiveTimestampTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("315532799")]
    public void Unset_or_pre_1980_means_the_zip_epoch(string? value) =>
        Assert.Equal(ArchiveTimestamp.ZipEpoch, ArchiveTimestamp.FromSourceDateEpoch(value));

    [Fact]
    public void SOURCE_DATE_EPOCH_is_seconds_since_1970_utc() =>
        Assert.Equal(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), ArchiveTimestamp.FromSourceDateEpoch("1704067200"));

    [Theory]
    [InlineData("yesterday")]
    [InlineData("-5")]
    [InlineData("1.5")]
    public void A_non_numeric_SOURCE_DATE_EPOCH_is_UVL1007(string value) =>
        Assert.Equal(ErrorCodes.InvalidSourceDateEpoch, Assert.Throws<UvLambdaException>(() => ArchiveTimestamp.FromSourceDateEpoch(value)).Code);

    [Fact]
    public void Dos_words_encode_1980_01_01_midnight_as_date_0x21() =>
        Assert.Equal(((ushort)0, (ushort)0x21), ArchiveTimestamp.ToDos(ArchiveTimestamp.ZipEpoch));
}
