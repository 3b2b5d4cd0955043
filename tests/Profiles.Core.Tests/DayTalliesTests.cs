using Profiles.Core.Personalisation;

namespace Profiles.Core.Tests;

/// <summary>The day buckets of a windowed trait: always in day order, whatever order the days arrive in.</summary>
public class DayTalliesTests
{
    [Fact]
    public void Days_arriving_in_any_order_are_kept_oldest_first_one_tally_each()
    {
        var random = new Random(14);
        var days = new DayTallies();
        var expected = new SortedDictionary<int, long>();
        for (var i = 0; i < 500; i++)
        {
            var day = random.Next(739_000, 739_400);
            days.Of(day).Count++;
            expected[day] = expected.GetValueOrDefault(day) + 1;
        }

        Assert.Equal(expected.Keys, days.Keys);
        Assert.Equal(expected, days.Select(d => KeyValuePair.Create(d.Key, d.Value.Count)));
        Assert.True(days.TryGetValue(expected.Keys.First(), out var first) && first.Count == expected.Values.First());
        Assert.False(days.TryGetValue(739_400, out _));
    }

    [Fact]
    public void Removing_the_days_before_one_keeps_that_day_and_later()
    {
        var days = new DayTallies();
        foreach (var day in new[] { 30, 10, 20, 40 }) days.Of(day).Count = day;

        days.RemoveBefore(20);
        Assert.Equal([20, 30, 40], days.Keys);
        days.RemoveBefore(5);
        Assert.Equal([20, 30, 40], days.Keys);
        days.Of(50);
        days.RemoveBefore(60);
        Assert.Empty(days.Keys);
        Assert.Equal(0, days.Count);
    }

    [Fact]
    public void A_copy_shares_no_tally_with_its_original()
    {
        var days = new DayTallies(0);
        days.Set(2, new Tally { Count = 2 });
        days.Set(1, new Tally { Count = 1 });

        var copy = days.Copy();
        copy.Of(1).Count = 100;
        copy.Of(3);

        Assert.Equal([1L, 2L], days.Select(d => d.Value.Count));
        Assert.Equal([100L, 2L, 0L], copy.Select(d => d.Value.Count));
    }
}
