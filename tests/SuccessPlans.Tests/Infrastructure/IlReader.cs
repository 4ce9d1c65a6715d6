using System.Reflection;
using System.Reflection.Emit;

namespace SuccessPlans.Tests.Infrastructure;

/// <summary>
/// Reads compiled code one IL instruction at a time: the translation tests read what the runtime runs, so a new text
/// or message cannot hide from them.
/// </summary>
internal static class IlReader
{
    public const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>One instruction: its opcode, its operand as a number (a token, a branch offset, a count), and where the next begins.</summary>
    public readonly record struct Instruction(int Offset, OpCode Op, int Operand, int OperandOffset, int Next)
    {
        /// <summary>The offsets a branch or a switch may jump to.</summary>
        public IEnumerable<int> Targets(byte[] il)
        {
            if (Op.OperandType is OperandType.ShortInlineBrTarget or OperandType.InlineBrTarget) yield return Next + Operand;
            if (Op.OperandType == OperandType.InlineSwitch)
                for (var k = 0; k < Operand; k++) yield return Next + BitConverter.ToInt32(il, OperandOffset + 4 + 4 * k);
        }
    }

    public static IEnumerable<Instruction> Instructions(byte[] il)
    {
        var pos = 0;
        while (pos < il.Length)
        {
            var offset = pos;
            short value = il[pos++];
            if (value == 0xFE) value = (short)(0xFE00 | il[pos++]);
            var op = OpCodesByValue[value];
            var size = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, pos),
                _ => 4,
            };
            var operand = size switch
            {
                1 => op.OperandType == OperandType.ShortInlineBrTarget ? (sbyte)il[pos] : il[pos],
                2 => BitConverter.ToUInt16(il, pos),
                >= 4 => BitConverter.ToInt32(il, pos),
                _ => 0,
            };
            yield return new Instruction(offset, op, operand, pos, pos + size);
            pos += size;
        }
    }

    /// <summary>The method a call's token names, or null when it cannot be resolved here.</summary>
    public static MethodBase? ResolveMethod(MethodBase method, int token)
    {
        try
        {
            return method.Module.ResolveMethod(token,
                method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null,
                method.IsGenericMethod ? method.GetGenericArguments() : null);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The field a load's token names, or null.</summary>
    public static FieldInfo? ResolveField(MethodBase method, int token)
    {
        try
        {
            return method.Module.ResolveField(token,
                method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null,
                method.IsGenericMethod ? method.GetGenericArguments() : null);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Every method of a type with a body to read, its nested types' too (async state machines, lambdas, closures).</summary>
    public static IEnumerable<MethodBase> MethodsOf(Type type)
    {
        foreach (var m in type.GetMethods(All)) yield return m;
        foreach (var c in type.GetConstructors(All)) yield return c;
        if (type.TypeInitializer is { } cctor) yield return cctor;
        foreach (var nested in type.GetNestedTypes(All))
            foreach (var m in MethodsOf(nested)) yield return m;
    }
}
