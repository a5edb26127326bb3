FROM mcr.microsoft.com/dotnet/sdk:8.0 AS builder
WORKDIR /source
COPY *.csproj .
RUN dotnet restore
COPY . .
RUN dotnet publish -c Release -o /app --no-restore
WORKDIR /app
ENV ASPNETCORE_HTTP_PORTS=8080

# Runtime: the .NET runtime image of the SDK's version, with the published output only.
FROM mcr.microsoft.com/dotnet/aspnet:8.0
WORKDIR /app
ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080
COPY --from=builder /app /app
USER 65534:65534
ENTRYPOINT ["dotnet", "Web.dll"]
