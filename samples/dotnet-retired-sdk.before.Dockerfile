# A .NET Core 2.1 service on the retired Docker Hub name of the SDK image. Its runtime
# twin is microsoft/dotnet:2.1-aspnetcore-runtime-stretch-slim.
FROM microsoft/dotnet:2.1-sdk-stretch
WORKDIR /app
COPY *.csproj ./
RUN dotnet restore
COPY . ./
RUN dotnet publish -c Release -o out
EXPOSE 80
WORKDIR /app/out
ENTRYPOINT ["dotnet", "Service.dll"]
