using Profiles.Core.Paging;

namespace Profiles.Core.Tests;

/// <summary>The cursors clients get back from journey pages, the change feed and audience members: a position goes
/// in, URL-safe text comes out, and only that text decodes again.</summary>
public class OpaqueCursorTests
{
    [Theory]
    [InlineData("638712345678901234:tp-1")]
    [InlineData("members:élodie/42?+")]
    public void A_text_position_comes_back_from_its_cursor(string position)
    {
        var cursor = OpaqueCursor.Encode(position);

        Assert.True(OpaqueCursor.TryDecodeText(cursor, out var decoded));
        Assert.Equal(position, decoded);
    }

    [Fact]
    public void A_byte_position_comes_back_from_its_cursor()
    {
        byte[] position = [1, 0, 255, 62, 63, 251, 128];

        Assert.True(OpaqueCursor.TryDecode(OpaqueCursor.Encode(position), out var decoded));
        Assert.Equal(position, decoded);
    }

    [Fact]
    public void A_cursor_goes_into_a_query_string_as_it_is()
    {
        // Bytes whose plain base64 would hold '+', '/' and '=' padding.
        var cursor = OpaqueCursor.Encode([251, 255, 191, 62]);

        Assert.Equal(Uri.EscapeDataString(cursor), cursor);
    }

    [Theory]
    [InlineData("")]
    [InlineData("!!")]
    [InlineData("a")]
    [InlineData("abc=def")]
    [InlineData("a b")]
    public void Text_that_is_no_cursor_does_not_decode(string cursor)
    {
        Assert.False(OpaqueCursor.TryDecode(cursor, out var position));
        Assert.Null(position);
        Assert.False(OpaqueCursor.TryDecodeText(cursor, out var text));
        Assert.Null(text);
    }

    [Fact]
    public void A_cursor_of_bytes_that_are_not_utf8_is_no_text_cursor()
    {
        var cursor = OpaqueCursor.Encode([0xC3, 0x28]);

        Assert.True(OpaqueCursor.TryDecode(cursor, out _));
        Assert.False(OpaqueCursor.TryDecodeText(cursor, out var text));
        Assert.Null(text);
    }
}
