using System.Reflection;

namespace MLNetExplain.Data.Views;

/// <summary>How the public fields and properties of a class map to data-view columns.</summary>
internal sealed class PocoMapping<T>
{
    private PocoMapping(List<Member> members) => Members = members;

    public List<Member> Members { get; }

    public static PocoMapping<T> Create()
    {
        var members = new List<Member>();
        const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance;
        foreach (var m in typeof(T).GetFields(flags).Cast<MemberInfo>().Concat(typeof(T).GetProperties(flags)))
        {
            if (m.GetCustomAttribute<NoColumnAttribute>() is not null || (m is PropertyInfo p && p.GetIndexParameters().Length > 0))
            {
                continue;
            }

            var memberType = m is FieldInfo f ? f.FieldType : ((PropertyInfo)m).PropertyType;
            var name = m.GetCustomAttribute<ColumnNameAttribute>()?.Name ?? m.Name;
            members.Add(new Member(m, name, memberType, TypeOf(m, memberType)));
        }

        return new PocoMapping<T>(members);
    }

    private static DataViewType TypeOf(MemberInfo m, Type memberType)
    {
        if (m.GetCustomAttribute<KeyTypeAttribute>() is { } key)
        {
            if (memberType != typeof(uint))
            {
                throw new ArgumentException($"{typeof(T).Name}.{m.Name}: [KeyType] needs a uint member, found {memberType.Name}.");
            }

            return new KeyDataViewType(key.Count);
        }

        if (memberType.IsArray)
        {
            var item = InMemoryDataView.PrimitiveFor(memberType.GetElementType()!, m.Name);
            return new VectorDataViewType(item, m.GetCustomAttribute<VectorTypeAttribute>()?.Dimensions ?? []);
        }

        return InMemoryDataView.PrimitiveFor(memberType, m.Name);
    }

    internal sealed record Member(MemberInfo Info, string ColumnName, Type MemberType, DataViewType ColumnType)
    {
        public object? Get(T row) => Info is FieldInfo f ? f.GetValue(row) : ((PropertyInfo)Info).GetValue(row);

        public void Set(T row, object? value)
        {
            if (Info is FieldInfo f)
            {
                f.SetValue(row, value);
            }
            else
            {
                ((PropertyInfo)Info).SetValue(row, value);
            }
        }
    }
}
