using System.Text;
using UvLambda.Core.Archives;

namespace UvLambda.Core.Tests.Archives;

public class Crc32Tests
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xE8B7BE43u)]
    [InlineData("123456789", 0xCBF43926u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x414FA339u)]
    public void Matches_the_IEEE_check_values(string text, uint expected) =>
        Assert.Equal(expected, Crc32.Compute(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Appending_in_pieces_equals_one_pass()
    {
        var data = new byte[10_007];
        new Random(42).NextBytes(data);
        uint crc = 0;
        for (int i = 0; i < data.Length; i += 333)
            crc = Crc32.Append(crc, data.AsSpan(i, Math.Min(333, data.Length - i)));
        Assert.Equal(Crc32.Compute(data), crc);
    }
}
